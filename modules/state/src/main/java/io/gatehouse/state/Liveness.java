package io.gatehouse.state;

import java.time.Duration;
import java.time.Instant;

/**
 * Judges whether a beat is fresh against the stream, not the wall clock alone: a beat written at
 * {@code t} with time-to-live {@code ttl} is fresh while {@code t + ttl > seenUpTo}. When Kafka is
 * unreachable {@code seenUpTo} stops, so no beat expires; routing then relies on dial failures to
 * eject dead agents. Beat times come from the writer's clock: keep agents and proxies on NTP and
 * the TTL a few beats long.
 */
public final class Liveness {
  private final StreamClock clock;

  public Liveness(StreamClock clock) {
    this.clock = clock;
  }

  public boolean isFresh(Instant beatTime, Duration ttl) {
    return isFresh(beatTime, ttl, clock.seenUpTo());
  }

  public static boolean isFresh(Instant beatTime, Duration ttl, Instant seenUpTo) {
    return beatTime.plus(ttl).isAfter(seenUpTo);
  }

  /** How long ago, in stream time, the beat was written (negative if ahead of the stream). */
  public Duration age(Instant beatTime) {
    return Duration.between(beatTime, clock.seenUpTo());
  }

  public StreamClock clock() {
    return clock;
  }
}
