package io.gatehouse.agent;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A resource this agent serves right now: what it heartbeats and relays sessions to.
 *
 * @param kind its kind
 * @param name its name, unique within the kind
 * @param labels its labels
 * @param uri its upstream
 * @param protocol wire protocol of a database or desktop, if named
 * @param origin where the agent learned of it
 */
public record ServedResource(
    ResourceKind kind,
    String name,
    Map<String, String> labels,
    String uri,
    Optional<String> protocol,
    Origin origin) {

  public ServedResource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(origin, "origin");
  }

  /** {@code kind/name}, the resource's key on the topics. */
  public String key() {
    return Keys.resource(kind.word(), name);
  }

  /** Where an agent learned of a resource; the word is written in heartbeats. */
  public enum Origin {
    /** Listed in the agent's configuration file. */
    STATIC("static"),
    /** Defined on {@code gatehouse.resources} and matched by one of the agent's selectors. */
    DYNAMIC("dynamic");

    private final String word;

    Origin(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }
}
