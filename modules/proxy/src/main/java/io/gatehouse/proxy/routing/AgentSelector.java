package io.gatehouse.proxy.routing;

import io.vertx.core.Future;
import java.util.random.RandomGenerator;

/**
 * Chooses the agent for a session: the seam between routing and the traffic it routes. An
 * implementation answers with an {@link AgentChoice}, or fails the future with a {@link
 * RoutingFailure}; it never throws.
 */
@FunctionalInterface
public interface AgentSelector {
  Future<AgentChoice> pick(SessionRequest request);

  /**
   * The pinned agent if it is healthy and untried (and its target not down while another's is up);
   * otherwise one of the healthy, untried agents of the best target health (healthy, else unknown,
   * else unhealthy), chosen as the resource's {@link RoutingPolicy} says.
   *
   * @param policies the policy of each resource, and this proxy's zone
   * @param sessions the open sessions of each agent, for {@link RoutingPolicy#LEAST_SESSIONS}
   * @param random the source of randomness; tests pass a seeded one
   */
  static AgentSelector pinnedFirst(
      RoutingTable table,
      RoutingPolicies policies,
      SessionCounts sessions,
      RandomGenerator random) {
    return new PinnedFirstSelector(table, policies, sessions, random);
  }

  /**
   * {@link #pinnedFirst(RoutingTable, RoutingPolicies, SessionCounts, RandomGenerator)}, random.
   */
  static AgentSelector pinnedFirst(RoutingTable table, RandomGenerator random) {
    return pinnedFirst(table, RoutingPolicies.RANDOM, agentId -> 0, random);
  }
}
