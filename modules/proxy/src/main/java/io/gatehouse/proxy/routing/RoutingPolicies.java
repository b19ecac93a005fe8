package io.gatehouse.proxy.routing;

import io.gatehouse.events.ResourceKind;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which {@link RoutingPolicy} each resource is routed by on this proxy, and the zone this proxy is
 * in: from {@code proxy.zone} and {@code proxy.routing} (docs/proxy.md). A resource's own entry
 * wins over its kind's, which wins over the default. Each proxy goes by its own file: keep the
 * policies alike on every proxy unless meaning otherwise.
 *
 * @param zone this proxy's zone, which {@link RoutingPolicy#SAME_ZONE_FIRST} prefers; empty when it
 *     names none (then no policy may be same-zone-first)
 * @param fallback the policy of every resource not named below ({@code routing.policy})
 * @param kinds the policy of each kind that has one ({@code routing.kind_policy})
 * @param resources the policy of each resource that has one, by {@code kind/name} ({@code
 *     routing.resource_policy})
 */
public record RoutingPolicies(
    Optional<String> zone,
    RoutingPolicy fallback,
    Map<ResourceKind, RoutingPolicy> kinds,
    Map<String, RoutingPolicy> resources) {
  /** Random for every resource, in no zone: what a proxy with no routing policies does. */
  public static final RoutingPolicies RANDOM =
      new RoutingPolicies(Optional.empty(), RoutingPolicy.RANDOM, Map.of(), Map.of());

  public RoutingPolicies {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(fallback, "fallback");
    kinds = Map.copyOf(kinds);
    resources = Map.copyOf(resources);
    boolean sameZone =
        fallback == RoutingPolicy.SAME_ZONE_FIRST
            || kinds.containsValue(RoutingPolicy.SAME_ZONE_FIRST)
            || resources.containsValue(RoutingPolicy.SAME_ZONE_FIRST);
    if (sameZone && zone.isEmpty()) {
      throw new IllegalArgumentException("same-zone-first needs the proxy's zone");
    }
  }

  /** The policy {@code resource} is routed by. */
  public RoutingPolicy of(ResourceRef resource) {
    // Asked on every pick: no key is built when no resource has a policy of its own.
    RoutingPolicy own = resources.isEmpty() ? null : resources.get(resource.key());
    if (own != null) {
      return own;
    }
    RoutingPolicy kind = kinds.get(resource.kind());
    return kind != null ? kind : fallback;
  }
}
