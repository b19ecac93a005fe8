package io.gatehouse.proxy.tunnel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Whether the agents have come back to a proxy that has just started, which its readiness waits
 * for: a proxy that a balancer sends users to before the agents' tunnels to it are up answers their
 * sessions {@code 503}, while the agents are a redial away (at most 2 s of back-off).
 *
 * <p>The agents awaited are those with a tunnel to another live proxy, not draining ({@link
 * TunnelMesh#servingElsewhere}): they keep a tunnel to every proxy, so they will dial this one.
 * Once every one of them has a tunnel here, or {@code patience} has passed since the state caught
 * up (an agent that cannot reach this proxy must not keep it out of rotation), the agents are
 * settled, and stay so for the life of the proxy. Before the state has caught up they are not, as
 * only then does the mesh say who to wait for. Thread-safe.
 */
public final class AgentArrivals {
  private final Supplier<? extends Collection<String>> elsewhere;
  private final Predicate<String> connectedHere;
  private final Clock clock;
  private final Duration patience;
  private volatile Instant caughtUpAt;
  private volatile boolean settled;

  /**
   * @param elsewhere the agents serving through other live proxies
   * @param connectedHere whether an agent has a live tunnel to this proxy
   */
  public AgentArrivals(
      Supplier<? extends Collection<String>> elsewhere,
      Predicate<String> connectedHere,
      Clock clock,
      Duration patience) {
    this.elsewhere = Objects.requireNonNull(elsewhere, "elsewhere");
    this.connectedHere = Objects.requireNonNull(connectedHere, "connectedHere");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.patience = Objects.requireNonNull(patience, "patience");
  }

  /** The state has caught up with the topics: the mesh now says which agents to wait for. */
  public void caughtUp() {
    if (caughtUpAt == null) {
      caughtUpAt = clock.instant();
    }
  }

  /** Whether every agent awaited is connected here, or the patience has run out. */
  public boolean settled() {
    if (settled) {
      return true;
    }
    Instant since = caughtUpAt;
    if (since == null) {
      return false;
    }
    if (awaited().isEmpty() || !clock.instant().isBefore(since.plus(patience))) {
      settled = true;
    }
    return settled;
  }

  /** The agents serving through other proxies that have no tunnel here yet, sorted. */
  public List<String> awaited() {
    return elsewhere.get().stream().filter(connectedHere.negate()).sorted().toList();
  }
}
