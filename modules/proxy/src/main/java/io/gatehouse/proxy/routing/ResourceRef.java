package io.gatehouse.proxy.routing;

import io.gatehouse.config.DnsLabel;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import java.util.Objects;
import java.util.Optional;

/**
 * One resource as routing sees it: {@code kind/name}, the unit of listing, selection and pinning.
 * Replicas with different names are different resources.
 */
public record ResourceRef(ResourceKind kind, String name) {
  public ResourceRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /** Parses the words of a URL or key, e.g. {@code app} and {@code demo}; empty when malformed. */
  public static Optional<ResourceRef> parse(String kind, String name) {
    Optional<ResourceKind> k = ResourceKind.parse(kind).filter(v -> v.word().equals(kind));
    if (k.isEmpty() || !DnsLabel.isValid(name)) {
      return Optional.empty();
    }
    return Optional.of(new ResourceRef(k.get(), name));
  }

  /** {@code kind/name}: key on {@code gatehouse.resources} and in audit events. */
  public String key() {
    return Keys.resource(kind.word(), name);
  }

  /** {@code kind/name/}: prefix of every heartbeat of this resource. */
  String heartbeatPrefix() {
    return Keys.heartbeatPrefix(kind.word(), name);
  }

  @Override
  public String toString() {
    return key();
  }
}
