package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * An agent that serves a resource, as selection sees it: where to dial it, whether it may take a
 * new session, and what its checks say of the upstream behind it.
 */
public record Candidate(AgentEndpoint agent, AgentStatus.Health health, TargetHealth target) {
  public Candidate {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(target, "target");
  }

  public boolean healthy() {
    return health == AgentStatus.Health.HEALTHY;
  }
}
