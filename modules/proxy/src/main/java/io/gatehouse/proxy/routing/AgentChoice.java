package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * A selector's answer.
 *
 * @param resource the resource the session is for
 * @param agent the agent to dial
 * @param pinned true when this is the session's pinned agent; false for a fresh pick (a new
 *     session, or a re-pin when the pinned agent is gone)
 * @param candidates how many healthy, untried agents of the best target health there were to pick
 *     from
 * @param policy the resource's routing policy
 * @param reason why this agent, in a few words for the audit trail: {@code pinned}, {@code random},
 *     {@code same-zone eu-1}, {@code fallback: no healthy agent in zone eu-1}, {@code
 *     least-sessions 3 vs 5}, {@code only candidate}
 * @param leftPin for a fresh pick of a pinned session, what the pinned agent is, in words that
 *     follow its id: {@code draining}, {@code not connected to this proxy}, {@code ejected}, {@code
 *     serving a target that is down}, {@code no longer serving the resource}; {@code ""} otherwise
 */
public record AgentChoice(
    ResourceRef resource,
    AgentEndpoint agent,
    boolean pinned,
    int candidates,
    RoutingPolicy policy,
    String reason,
    String leftPin) {
  public AgentChoice {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(leftPin, "leftPin");
  }
}
