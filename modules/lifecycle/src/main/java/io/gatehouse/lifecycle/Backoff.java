package io.gatehouse.lifecycle;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter: attempt {@code n} waits a uniformly random time between
 * {@code initial} and {@code min(max, initial * 2^n)}, so a fleet of agents restarted together does
 * not retry in lock-step. Not thread-safe; one per retry loop.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private int attempt;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
    }
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  /** The wait before the next attempt. */
  public Duration next() {
    long ceiling = initial.toMillis() << Math.min(attempt, 20);
    ceiling = Math.min(Math.max(ceiling, initial.toMillis()), max.toMillis());
    attempt++;
    long lo = initial.toMillis();
    return Duration.ofMillis(
        lo + (ceiling > lo ? (long) (random.nextDouble() * (ceiling - lo + 1)) : 0));
  }

  /** Starts over after a success. */
  public void reset() {
    attempt = 0;
  }
}
