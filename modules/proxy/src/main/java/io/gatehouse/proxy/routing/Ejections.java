package io.gatehouse.proxy.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents this proxy skips because dialing them failed: passive health checking. An agent is ejected
 * for the base back-off; ejected again without a successful dial in between, for twice as long, up
 * to eight times the base. A successful dial clears it, and so does a tunnel the agent opened after
 * the ejection (it reconnected, so the old failure says nothing about it).
 *
 * <p>Local to one proxy and kept in memory: ejection is this proxy's observation, not a fact for
 * the whole system. Thread-safe; the clock is injected so tests move time by hand.
 */
public final class Ejections {
  private static final int MAX_DOUBLINGS = 3;

  private final Clock clock;
  private final Duration base;
  private final Map<String, Ejection> ejected = new ConcurrentHashMap<>();

  public Ejections(Clock clock, Duration base) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.base = Objects.requireNonNull(base, "base");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("eject back-off must be longer than zero, got " + base);
    }
  }

  /** Ejects {@code agentId} and returns until when. */
  public Instant eject(String agentId) {
    Instant now = clock.instant();
    Ejection e =
        ejected.compute(
            agentId,
            (id, previous) -> {
              int strikes =
                  previous == null ? 1 : Math.min(previous.strikes + 1, MAX_DOUBLINGS + 1);
              return new Ejection(now, now.plus(base.multipliedBy(1L << (strikes - 1))), strikes);
            });
    return e.until;
  }

  /**
   * Whether {@code agentId} is skipped now.
   *
   * @param agentStartedAt when the agent's tunnel to this proxy opened, or {@code null}
   */
  public boolean isEjected(String agentId, Instant agentStartedAt) {
    if (ejected.isEmpty()) {
      return false;
    }
    Ejection e = ejected.get(agentId);
    if (e == null) {
      return false;
    }
    if (agentStartedAt != null && agentStartedAt.isAfter(e.at)) {
      return false;
    }
    return clock.instant().isBefore(e.until);
  }

  /** A dial to {@code agentId} succeeded: forget its failures. */
  public void succeeded(String agentId) {
    if (!ejected.isEmpty()) {
      ejected.remove(agentId);
    }
  }

  /** Agents ejected right now and until when, by id. */
  public Map<String, Instant> current() {
    Instant now = clock.instant();
    Map<String, Instant> out = new TreeMap<>();
    ejected.forEach(
        (id, e) -> {
          if (now.isBefore(e.until)) {
            out.put(id, e.until);
          }
        });
    return out;
  }

  private record Ejection(Instant at, Instant until, int strikes) {}
}
