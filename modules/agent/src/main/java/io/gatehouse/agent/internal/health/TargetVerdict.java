package io.gatehouse.agent.internal.health;

import io.gatehouse.agent.HealthCheck;
import java.time.Instant;
import java.util.Optional;

/**
 * Turns one upstream's check results into its {@link TargetHealth}: healthy after {@code
 * healthy_threshold} successes in a row, unhealthy after {@code unhealthy_threshold} failures in a
 * row, unknown until either happens. Only a change of state is news; a new reason for the same
 * state is kept but not reported, so heartbeats go out when health changes, not on every check. Not
 * thread-safe: one check loop owns it.
 */
final class TargetVerdict {
  private final HealthCheck check;
  private TargetHealth current;
  private int successes;
  private int failures;

  TargetVerdict(HealthCheck check, Instant now) {
    this.check = check;
    this.current = new TargetHealth(TargetHealth.State.UNKNOWN, "not checked yet", now);
  }

  TargetHealth current() {
    return current;
  }

  /**
   * Counts one check.
   *
   * @param ok whether it succeeded
   * @param reason what it saw
   * @return the new health when the state changed
   */
  Optional<TargetHealth> record(boolean ok, String reason, Instant now) {
    TargetHealth.State next = current.state();
    if (ok) {
      failures = 0;
      successes = Math.min(successes + 1, check.healthyThreshold());
      if (successes >= check.healthyThreshold()) {
        next = TargetHealth.State.HEALTHY;
      }
    } else {
      successes = 0;
      failures = Math.min(failures + 1, check.unhealthyThreshold());
      if (failures >= check.unhealthyThreshold()) {
        next = TargetHealth.State.UNHEALTHY;
      }
    }
    if (next == current.state()) {
      return Optional.empty();
    }
    current = new TargetHealth(next, reason, now);
    return Optional.of(current);
  }
}
