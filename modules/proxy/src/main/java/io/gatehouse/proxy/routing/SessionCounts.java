package io.gatehouse.proxy.routing;

/**
 * How many sessions each agent has open, as this proxy knows them: what {@link
 * RoutingPolicy#LEAST_SESSIONS} compares. The seam between routing and the session pins (every
 * proxy's pins, this proxy's own counted the moment they are written).
 */
@FunctionalInterface
public interface SessionCounts {
  /**
   * The open sessions of {@code agentId}, over every resource it serves; 0 for an unknown agent.
   */
  int open(String agentId);
}
