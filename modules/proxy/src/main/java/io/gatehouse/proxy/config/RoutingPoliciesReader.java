package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ZoneName;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingPolicies;
import io.gatehouse.proxy.routing.RoutingPolicy;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code proxy.zone} and the policies of {@code proxy.routing} ({@code policy}, {@code
 * kind_policy}, {@code resource_policy}) into {@link RoutingPolicies}, each problem at its key.
 */
final class RoutingPoliciesReader {
  private RoutingPoliciesReader() {}

  static RoutingPolicies read(ConfigNode proxy, ConfigNode routing) {
    Optional<String> zone = proxy.value("zone", ZoneName::check);
    Optional<RoutingPolicy> fallback = routing.value("policy", RoutingPoliciesReader::policy);
    if (fallback.isPresent()) {
      needsZone(routing, "policy", fallback.get(), zone);
    }
    Map<ResourceKind, RoutingPolicy> kinds = new EnumMap<>(ResourceKind.class);
    for (Map.Entry<String, String> e : routing.stringMap("kind_policy").entrySet()) {
      Optional<ResourceKind> kind =
          ResourceKind.parse(e.getKey()).filter(k -> k.word().equals(e.getKey()));
      if (kind.isEmpty()) {
        routing.problem(
            "kind_policy." + e.getKey(),
            "unknown resource kind; expected app, db, desktop or kube");
        continue;
      }
      policy(routing, "kind_policy." + e.getKey(), e.getValue(), zone)
          .ifPresent(p -> kinds.put(kind.get(), p));
    }
    Map<String, RoutingPolicy> resources = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : routing.stringMap("resource_policy").entrySet()) {
      String key = e.getKey();
      int slash = key.indexOf('/');
      Optional<ResourceRef> ref =
          slash < 0
              ? Optional.empty()
              : ResourceRef.parse(key.substring(0, slash), key.substring(slash + 1));
      if (ref.isEmpty()) {
        routing.problem(
            "resource_policy." + key,
            "expected a resource as kind/name, e.g. db/orders (kind app, db, desktop or kube)");
        continue;
      }
      policy(routing, "resource_policy." + key, e.getValue(), zone)
          .ifPresent(p -> resources.put(ref.get().key(), p));
    }
    if (zone.isEmpty() && hasSameZone(fallback, kinds, resources)) {
      // Already reported at its key; nothing valid to build.
      return RoutingPolicies.RANDOM;
    }
    return new RoutingPolicies(zone, fallback.orElse(RoutingPolicy.RANDOM), kinds, resources);
  }

  private static boolean hasSameZone(
      Optional<RoutingPolicy> fallback,
      Map<ResourceKind, RoutingPolicy> kinds,
      Map<String, RoutingPolicy> resources) {
    return fallback.orElse(RoutingPolicy.RANDOM) == RoutingPolicy.SAME_ZONE_FIRST
        || kinds.containsValue(RoutingPolicy.SAME_ZONE_FIRST)
        || resources.containsValue(RoutingPolicy.SAME_ZONE_FIRST);
  }

  private static Optional<RoutingPolicy> policy(
      ConfigNode node, String key, String word, Optional<String> zone) {
    try {
      RoutingPolicy p = policy(word);
      needsZone(node, key, p, zone);
      return Optional.of(p);
    } catch (IllegalArgumentException e) {
      node.problem(key, e.getMessage());
      return Optional.empty();
    }
  }

  private static void needsZone(
      ConfigNode node, String key, RoutingPolicy policy, Optional<String> zone) {
    if (policy == RoutingPolicy.SAME_ZONE_FIRST && zone.isEmpty()) {
      node.problem(
          key,
          "same-zone-first prefers the agents in this proxy's zone: set proxy.zone (e.g. zone:"
              + " eu-west-1a), or choose random or least-sessions");
    }
  }

  private static RoutingPolicy policy(String word) {
    return RoutingPolicy.parse(word)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown policy '" + word + "'; expected " + RoutingPolicy.words()));
  }
}
