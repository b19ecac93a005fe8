package io.gatehouse.agent;

import io.gatehouse.lifecycle.Backoff;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How an agent redials a proxy whose tunnel closed or could not be opened: after a jittered pause
 * that grows from {@link #FIRST} to at most {@link #MAX} while the dials keep failing and starts
 * over once a tunnel is up, so that a fleet does not return to a restarted proxy in lock-step. Kept
 * public so that a simulated fleet (the benchmarks) redials exactly as agents do.
 */
public final class TunnelRedial {
  /** The first pause after a tunnel closes, and the least pause of any retry. */
  public static final Duration FIRST = Duration.ofMillis(100);

  /** The longest pause: a restarted proxy sees its agents back within about this. */
  public static final Duration MAX = Duration.ofSeconds(2);

  private TunnelRedial() {}

  /** A new back-off for one tunnel's redials. */
  public static Backoff backoff(RandomGenerator random) {
    return new Backoff(FIRST, MAX, random);
  }
}
