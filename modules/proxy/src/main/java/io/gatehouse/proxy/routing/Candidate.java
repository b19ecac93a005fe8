package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * An agent that serves a resource, as selection sees it: where to dial it and whether it may take a
 * new session.
 */
public record Candidate(AgentEndpoint agent, AgentStatus.Health health) {
  public Candidate {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(health, "health");
  }

  public boolean healthy() {
    return health == AgentStatus.Health.HEALTHY;
  }
}
