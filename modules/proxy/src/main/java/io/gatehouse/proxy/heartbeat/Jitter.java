package io.gatehouse.proxy.heartbeat;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Spreads periodic writes: each period is shortened by a random fraction of up to {@code spread},
 * never lengthened, so a record refreshed this way is always rewritten before a time-to-live
 * computed from the nominal period runs out, and records written together drift apart.
 */
final class Jitter {
  private final RandomGenerator random;
  private final double spread;

  /**
   * @param spread the largest fraction of a period to take off, in {@code [0, 1)}
   */
  Jitter(RandomGenerator random, double spread) {
    if (spread < 0 || spread >= 1) {
      throw new IllegalArgumentException("spread must be in [0, 1), got " + spread);
    }
    this.random = random;
    this.spread = spread;
  }

  /** A duration in {@code [period * (1 - spread), period]}. */
  Duration next(Duration period) {
    long nanos = period.toNanos();
    long off = (long) (nanos * spread * random.nextDouble());
    return Duration.ofNanos(nanos - off);
  }
}
