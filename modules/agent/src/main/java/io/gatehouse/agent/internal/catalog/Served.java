package io.gatehouse.agent.internal.catalog;

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
 */
public record Served(ServedResource resource, Upstream upstream, Optional<DestinationGuard> guard) {
  public Served {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(guard, "guard");
  }

  /** A static resource: dialed as configured. */
  public Served(ServedResource resource, Upstream upstream) {
    this(resource, upstream, Optional.empty());
  }
}
