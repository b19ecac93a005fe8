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
 * @param upstream whether the agent answered that it could not reach the upstream ({@code
 *     upstream-refused}, {@code upstream-timeout}): the target's failure, not the agent's
 */
public record FailedAttempt(String agentId, String reason, boolean exhausted, boolean upstream) {
  public FailedAttempt {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(reason, "reason");
  }

  /** A failure of the agent itself (unreachable, lost, broken). */
  public FailedAttempt(String agentId, String reason, boolean exhausted) {
    this(agentId, reason, exhausted, false);
  }

  @Override
  public String toString() {
    return agentId + " (" + reason + ")";
  }
}
