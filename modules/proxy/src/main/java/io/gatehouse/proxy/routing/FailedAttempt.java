package io.gatehouse.proxy.routing;

import java.util.Objects;

/**
 * An agent that was tried for a session and failed it.
 *
 * @param agentId the agent
 * @param reason what happened, for the user's error and the audit event, e.g. {@code connection
 *     refused}
 * @param exhausted whether the agent is done for this session; {@code false} after a pooled
 *     connection was found closed, which earns the agent one more try on a fresh connection
 */
public record FailedAttempt(String agentId, String reason, boolean exhausted) {
  public FailedAttempt {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return agentId + " (" + reason + ")";
  }
}
