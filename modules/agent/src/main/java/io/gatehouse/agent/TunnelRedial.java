package io.gatehouse.agent;

import io.gatehouse.lifecycle.Backoff;
import io.gatehouse.relay.tunnel.TunnelException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How an agent redials a proxy whose tunnel closed or could not be opened, so that a fleet neither
 * returns to a restarted proxy in lock-step nor waits long when it need not:
 *
 * <ul>
 *   <li>after a proxy that could not be reached, closed the tunnel or refused it: a jittered pause
 *       that grows from {@link #FIRST} to at most {@link #MAX} while the dials keep failing, so a
 *       proxy that comes back sees its agents within about {@link #MAX};
 *   <li>after a proxy that said it is busy ({@link TunnelException#busy()}: too many agent
 *       handshakes in flight, refused before any crypto), a pause drawn uniformly between {@link
 *       #FIRST} and a ceiling that starts at {@link #MAX} and doubles with each busy answer in a
 *       row, up to {@link #BUSY_MAX}: a fleet larger than the proxy can take at once spreads itself
 *       over time, each agent still coming back at least every {@link #BUSY_MAX}.
 * </ul>
 *
 * Both start over once a tunnel is up. Not thread-safe; one per tunnel. Kept public so that a
 * simulated fleet (the benchmarks) redials exactly as agents do.
 */
public final class TunnelRedial {
  /** The first pause after a tunnel closes, and the least pause of any retry. */
  public static final Duration FIRST = Duration.ofMillis(100);

  /** The longest pause but after a busy proxy: a restarted proxy sees its agents within this. */
  public static final Duration MAX = Duration.ofSeconds(2);

  /** The longest pause after a busy proxy. */
  public static final Duration BUSY_MAX = Duration.ofSeconds(15);

  private final RandomGenerator random;
  private final Backoff backoff;
  private int busy;

  public TunnelRedial(RandomGenerator random) {
    this.random = random;
    this.backoff = new Backoff(FIRST, MAX, random);
  }

  /** The pause before the next dial, after a dial or tunnel that ended with {@code error}. */
  public Duration next(Throwable error) {
    if (!isBusy(error)) {
      return backoff.next();
    }
    long ceiling = Math.min(BUSY_MAX.toMillis(), MAX.toMillis() << Math.min(busy, 20));
    busy++;
    long least = FIRST.toMillis();
    return Duration.ofMillis(least + (long) (random.nextDouble() * (ceiling - least + 1)));
  }

  /** Starts over after a tunnel is up. */
  public void reset() {
    backoff.reset();
    busy = 0;
  }

  /** Whether {@code error}, or what it wraps, says the proxy is busy. */
  public static boolean isBusy(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TunnelException e && e.busy()) {
        return true;
      }
    }
    return false;
  }
}
