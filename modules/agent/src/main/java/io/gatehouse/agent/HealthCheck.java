package io.gatehouse.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How an agent checks one upstream it serves (a {@code health_check} block, per service and per
 * resource): a TCP connect for databases, desktops and TCP apps, an HTTP {@code GET} for HTTP apps
 * and Kubernetes clusters. An upstream is <em>healthy</em> after {@code healthyThreshold} checks in
 * a row succeed, <em>unhealthy</em> after {@code unhealthyThreshold} fail, and <em>unknown</em>
 * until one of those happens. Immutable; {@link #DEFAULT} holds the documented defaults.
 *
 * @param enabled whether the upstream is checked at all; unchecked, its health stays unknown
 * @param interval time between the end of one check and the start of the next
 * @param timeout how long one check may take; not longer than {@code interval}
 * @param healthyThreshold successes in a row that make an upstream healthy
 * @param unhealthyThreshold failures in a row that make it unhealthy
 * @param path the path of an HTTP check, relative to the host (the URI's own path is not added);
 *     empty means the URI's path for apps and {@code /readyz} under it for clusters
 * @param expectedStatus the status an HTTP check must get; empty means any status below 500 for
 *     apps and 200 for clusters
 */
public record HealthCheck(
    boolean enabled,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold,
    Optional<String> path,
    OptionalInt expectedStatus) {
  /** Every 5 s, 2 s to answer, healthy after 2 successes, unhealthy after 1 failure. */
  public static final HealthCheck DEFAULT =
      new HealthCheck(
          true,
          Duration.ofSeconds(5),
          Duration.ofSeconds(2),
          2,
          1,
          Optional.empty(),
          OptionalInt.empty());

  public HealthCheck {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(expectedStatus, "expectedStatus");
    if (interval.isNegative()
        || interval.isZero()
        || timeout.isNegative()
        || timeout.isZero()
        || timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          "health check timeout " + timeout + " must be positive and not exceed " + interval);
    }
    if (healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException("health check thresholds must be at least 1");
    }
  }
}
