package io.gatehouse.state;

import java.time.Instant;

/**
 * The time up to which this process has seen the stream: every record written to the materialized
 * topics before {@link #seenUpTo()} has been applied locally. It stands still while Kafka is
 * unreachable, which is what keeps liveness from expiring everything during an outage.
 */
@FunctionalInterface
public interface StreamClock {
  /** {@link Instant#EPOCH} until the stream has been seen once. */
  Instant seenUpTo();
}
