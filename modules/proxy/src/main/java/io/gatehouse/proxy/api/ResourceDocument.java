package io.gatehouse.proxy.api;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.DnsLabel;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.proxy.routing.ResourceRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
        metadata.isPresent() ? metadata.required("name", DnsLabel::check) : Optional.empty();
    Map<String, String> labels = metadata.stringMap("labels");
    for (String key : labels.keySet()) {
      if (key.isBlank() || key.equals("*")) {
        metadata.problem("labels", "invalid label key '" + key + "'");
      }
    }
    ConfigNode spec = root.object("spec");
    if (!spec.isPresent()) {
      root.problem("spec", "missing required key");
    }
    Optional<String> uri =
        spec.isPresent()
            ? spec.required("uri", t -> kind.map(k -> checkUri(k, t)).orElse(t.strip()))
            : Optional.empty();
    Optional<String> protocol = spec.value("protocol", ResourceDocument::protocol);
    if (protocol.isPresent() && kind.isPresent() && !kind.get().isTcp()) {
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

  private static String protocol(String text) {
    if (!DnsLabel.isValid(text)) {
      throw new IllegalArgumentException(
          "invalid protocol '" + text + "': expected a word such as postgres, mysql or rdp");
    }
    return text;
  }

  /**
   * The URI rules agents apply: {@code app} takes {@code http(s)://host[:port][/path]} or {@code
   * tcp://host:port}; {@code kube} takes {@code http(s)://}; {@code db} and {@code desktop} take
   * {@code host:port}, {@code tcp://host:port} or {@code <protocol>://host:port}.
   */
  static String checkUri(ResourceKind kind, String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    if (kind.isTcp() && !t.contains("://")) {
      HostPort hp;
      try {
        hp = HostPort.parse(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid address '" + t + "': expected host:port or tcp://host:port");
      }
      if (hp.port() == 0) {
        throw new IllegalArgumentException("invalid address '" + t + "': port must be 1-65535");
      }
      return t;
    }
    URI u;
    try {
      u = new URI(t);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URI '" + t + "': " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    boolean web = scheme.equals("http") || scheme.equals("https");
    switch (kind) {
      case APP -> {
        if (!web && !scheme.equals("tcp")) {
          throw new IllegalArgumentException(
              "invalid URI '" + t + "': expected http://, https:// or tcp://host:port");
        }
      }
      case KUBE -> {
        if (!web) {
          throw new IllegalArgumentException(
              "invalid URI '" + t + "': expected http:// or https://");
        }
      }
      default -> {
        if (web) {
          throw new IllegalArgumentException(
              "invalid URI '"
                  + t
                  + "': a "
                  + kind
                  + " is relayed as a TCP stream; use host:port or tcp://host:port");
        }
      }
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException("invalid URI '" + t + "': missing host");
    }
    if (u.getPort() == 0 || u.getPort() > 65535) {
      throw new IllegalArgumentException("invalid URI '" + t + "': port must be 1-65535");
    }
    if (web) {
      if (u.getRawQuery() != null || u.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "invalid URI '" + t + "': a query or fragment is not allowed");
      }
    } else {
      if (u.getPort() == -1) {
        throw new IllegalArgumentException("invalid URI '" + t + "': missing port");
      }
      String path = u.getRawPath();
      if ((path != null && !path.isEmpty() && !path.equals("/")) || u.getRawQuery() != null) {
        throw new IllegalArgumentException(
            "invalid URI '" + t + "': a TCP address has no path or query");
      }
    }
    return t;
  }
}
