package io.gatehouse.agent.internal.catalog;

import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.destination.DestinationGuard;
import io.gatehouse.agent.internal.relay.Upstream;
import java.util.Objects;
import java.util.Optional;

/**
 * A served resource with its upstream, derived once when it starts being served.
 *
 * @param resource what is heartbeated
 * @param upstream where sessions go
 * @param guard where it may point, checked again at every dial; empty for a static resource (the
 *     operator's own choice, never checked)
 * @param check how the agent checks the upstream's health
 */
public record Served(
    ServedResource resource,
    Upstream upstream,
    Optional<DestinationGuard> guard,
    HealthCheck check) {
  public Served {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(guard, "guard");
    Objects.requireNonNull(check, "check");
  }

  /** A static resource: dialed as configured. */
  public Served(ServedResource resource, Upstream upstream, HealthCheck check) {
    this(resource, upstream, Optional.empty(), check);
  }
}
