package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import java.util.Map;

/**
 * How many resources of each kind this proxy knows, split by whether a new session can be routed to
 * them: <em>healthy</em> with at least one healthy agent, <em>unhealthy</em> when defined or served
 * but with no healthy agent. Immutable.
 */
public final class ResourceCensus {
  private final int[] healthy = new int[ResourceKind.values().length];
  private final int[] unhealthy = new int[ResourceKind.values().length];

  /** Counts {@code kind/name} keys by kind; a key whose kind is unknown is left out. */
  static ResourceCensus of(Map<String, Boolean> healthyByKey) {
    ResourceCensus census = new ResourceCensus();
    healthyByKey.forEach(
        (key, isHealthy) -> {
          int slash = key.indexOf(Keys.SEPARATOR);
          ResourceKind.parse(slash < 0 ? key : key.substring(0, slash))
              .ifPresent(kind -> (isHealthy ? census.healthy : census.unhealthy)[kind.ordinal()]++);
        });
    return census;
  }

  public int healthy(ResourceKind kind) {
    return healthy[kind.ordinal()];
  }

  public int unhealthy(ResourceKind kind) {
    return unhealthy[kind.ordinal()];
  }
}
