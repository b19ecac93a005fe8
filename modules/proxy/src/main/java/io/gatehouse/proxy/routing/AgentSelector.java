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
   * The pinned agent if it is healthy and untried; otherwise an agent chosen uniformly at random
   * among the healthy, untried ones.
   *
   * @param random the source of randomness; tests pass a seeded one
   */
  static AgentSelector pinnedFirst(RoutingTable table, RandomGenerator random) {
    return new PinnedFirstSelector(table, random);
  }
}
