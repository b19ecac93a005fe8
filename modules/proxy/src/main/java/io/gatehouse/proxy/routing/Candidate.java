package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * An agent that serves a resource, as selection sees it: where to dial it, whether it may take a
 * new session, what its checks say of the upstream behind it, and the zone it runs in ({@code ""}
 * when it named none).
 */
public record Candidate(
    AgentEndpoint agent, AgentStatus.Health health, TargetHealth target, String zone) {
  public Candidate {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(zone, "zone");
  }

  public boolean healthy() {
    return health == AgentStatus.Health.HEALTHY;
  }
}
