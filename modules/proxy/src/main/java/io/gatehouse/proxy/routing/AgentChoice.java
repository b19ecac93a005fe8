package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * A selector's answer.
 *
 * @param resource the resource the session is for
 * @param agent the agent to dial
 * @param pinned true when this is the session's pinned agent; false for a fresh pick (a new
 *     session, or a re-pin when the pinned agent is gone)
 * @param candidates how many healthy, untried agents there were to pick from
 */
public record AgentChoice(
    ResourceRef resource, AgentEndpoint agent, boolean pinned, int candidates) {
  public AgentChoice {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(agent, "agent");
  }
}
