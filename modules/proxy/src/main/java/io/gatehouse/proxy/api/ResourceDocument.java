package io.gatehouse.proxy.api;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.resource.ResourceRules;
import io.gatehouse.proxy.routing.ResourceRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dynamic resource document, YAML or its JSON equivalent (JSON is read as YAML):
 *
 * <pre>
 * kind: app            # app, db, desktop or kube
 * version: v1
 * metadata: { name: demo, labels: { env: dev } }
 * spec: { uri: "http://localhost:8080", protocol: postgres }   # protocol: db and desktop only
 * </pre>
 *
 * <p>{@link #parse} validates everything at once and fails with every problem at its key path;
 * unknown keys are problems too, so a typo never passes silently.
 *
 * @param resource {@code kind/name}
 * @param labels the labels, possibly empty
 * @param uri the upstream, checked against the kind's rules
 * @param protocol the wire protocol of a database or desktop
 */
public record ResourceDocument(
    ResourceRef resource, Map<String, String> labels, String uri, Optional<String> protocol) {
  public static final String VERSION = "v1";

  public ResourceDocument {
    labels = Map.copyOf(labels);
  }

  /**
   * Parses and validates a document.
   *
   * @param source how to name the document in problems, e.g. {@code request body}
   * @throws ConfigException listing every problem, each with its key path
   */
  public static ResourceDocument parse(String text, String source) {
    ConfigDocument doc = ConfigDocument.parse(text, source);
    ConfigNode root = doc.root();
    Optional<ResourceKind> kind =
        root.required(
            "kind",
            t -> {
              Optional<ResourceKind> k = ResourceKind.parse(t).filter(v -> v.word().equals(t));
              return k.orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "'" + t + "' is not one of app, db, desktop, kube"));
            });
    root.required(
        "version",
        t -> {
          if (!VERSION.equals(t)) {
            throw new IllegalArgumentException(
                "unsupported version '" + t + "' (expected " + VERSION + ")");
          }
          return t;
        });
    ConfigNode metadata = root.object("metadata");
    if (!metadata.isPresent()) {
      root.problem("metadata", "missing required key");
    }
    Optional<String> name =
        metadata.isPresent()
            ? metadata.required("name", ResourceRules::checkName)
            : Optional.empty();
    Map<String, String> labels = metadata.stringMap("labels");
    try {
      ResourceRules.checkLabels(labels);
    } catch (IllegalArgumentException e) {
      metadata.problem("labels", e.getMessage());
    }
    ConfigNode spec = root.object("spec");
    if (!spec.isPresent()) {
      root.problem("spec", "missing required key");
    }
    Optional<String> uri =
        spec.isPresent()
            ? spec.required(
                "uri", t -> kind.map(k -> ResourceRules.checkUri(k, t)).orElse(t.strip()))
            : Optional.empty();
    Optional<String> protocol = spec.value("protocol", ResourceRules::checkProtocol);
    if (protocol.isPresent() && kind.isPresent() && !ResourceRules.hasProtocol(kind.get())) {
      spec.problem("protocol", "only db and desktop resources have a protocol");
    }
    doc.requireValid();
    return new ResourceDocument(
        new ResourceRef(kind.orElseThrow(), name.orElseThrow()),
        labels,
        uri.orElseThrow(),
        protocol);
  }

  /** The definition to write on {@code gatehouse.resources}. */
  public ResourceDefinition toDefinition(Instant now, String updatedBy) {
    return ResourceDefinition.newBuilder()
        .setKind(resource.kind().word())
        .setName(resource.name())
        .setVersion(VERSION)
        .setLabels(labels)
        .setSpec(ResourceSpec.newBuilder().setUri(uri).setProtocol(protocol.orElse(null)).build())
        .setUpdatedAt(now)
        .setUpdatedBy(updatedBy)
        .build();
  }

  /** The first problem's key path, e.g. {@code spec.uri}, for a 400 that names the field. */
  static String field(ConfigException e) {
    List<ConfigProblem> problems = e.problems();
    return problems.isEmpty() ? "" : problems.get(0).path();
  }
}
