package io.gatehouse.proxy.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing on this proxy: after {@code maxFailures} failed logins within {@code
 * window} for one user name, or from one address, further attempts for that name or from that
 * address are refused until the oldest failure leaves the window. A successful login clears the
 * user's count (not the address's: one right guess must not reset a spray from that address).
 * Bounded: at most {@value #MAX_TRACKED} names and addresses are tracked, the least recently failed
 * forgotten first. Thread-safe.
 */
public final class LoginThrottle {
  static final int MAX_TRACKED = 100_000;

  private final Clock clock;
  private final int maxFailures;
  private final Duration window;
  private final Map<String, Deque<Instant>> failures =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
          return size() > MAX_TRACKED;
        }
      };

  public LoginThrottle(Clock clock, int maxFailures, Duration window) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.window = window;
  }

  /** How long {@code user} from {@code address} must wait before trying again, if at all. */
  public synchronized Optional<Duration> blocked(String user, String address) {
    Instant now = clock.instant();
    Optional<Duration> byUser = wait("user:" + user, now);
    Optional<Duration> byAddress = wait("addr:" + address, now);
    if (byUser.isEmpty()) {
      return byAddress;
    }
    return byAddress.isEmpty() || byUser.get().compareTo(byAddress.get()) > 0 ? byUser : byAddress;
  }

  public synchronized void failed(String user, String address) {
    Instant now = clock.instant();
    failures.computeIfAbsent("user:" + user, k -> new ArrayDeque<>()).addLast(now);
    failures.computeIfAbsent("addr:" + address, k -> new ArrayDeque<>()).addLast(now);
  }

  public synchronized void succeeded(String user) {
    failures.remove("user:" + user);
  }

  private Optional<Duration> wait(String key, Instant now) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return Optional.empty();
    }
    Instant horizon = now.minus(window);
    for (Iterator<Instant> i = times.iterator(); i.hasNext(); ) {
      if (!i.next().isAfter(horizon)) {
        i.remove();
      }
    }
    while (times.size() > maxFailures) {
      times.removeFirst();
    }
    if (times.isEmpty()) {
      failures.remove(key);
      return Optional.empty();
    }
    if (times.size() < maxFailures) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, times.peekFirst().plus(window)));
  }
}
