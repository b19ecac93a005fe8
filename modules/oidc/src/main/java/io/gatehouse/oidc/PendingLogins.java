package io.gatehouse.oidc;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The logins sent to the provider and not yet back, by state, in memory. Each is taken at most once
 * ({@link #take}), so a replayed redirect finds nothing; each expires {@link #DEFAULT_TTL} after it
 * started; and there are never more than the capacity: when full, adding drops the expired ones,
 * then the oldest (a flood of started logins can push out real ones but cannot exhaust memory).
 * Thread-safe.
 */
public final class PendingLogins {
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
  public static final int DEFAULT_CAPACITY = 10_000;

  private final Duration ttl;
  private final int capacity;
  private final Clock clock;
  // Insertion order is start order, so the first entries are the oldest.
  private final LinkedHashMap<String, PendingLogin> byState = new LinkedHashMap<>();

  public PendingLogins() {
    this(DEFAULT_TTL, DEFAULT_CAPACITY, Clock.systemUTC());
  }

  public PendingLogins(Duration ttl, int capacity, Clock clock) {
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException("the time to live must be longer than zero, got " + ttl);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("the capacity must be at least 1, got " + capacity);
    }
    this.ttl = ttl;
    this.capacity = capacity;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Keeps {@code login} until it is taken or expires. */
  public synchronized void add(PendingLogin login) {
    Objects.requireNonNull(login, "login");
    if (byState.size() >= capacity && !byState.containsKey(login.state())) {
      dropExpired();
      Iterator<String> oldest = byState.keySet().iterator();
      while (byState.size() >= capacity && oldest.hasNext()) {
        oldest.next();
        oldest.remove();
      }
    }
    byState.put(login.state(), login);
  }

  /**
   * Removes and returns the login started with {@code state}; empty when there is none, it was
   * already taken, or it expired.
   */
  public synchronized Optional<PendingLogin> take(String state) {
    if (state == null) {
      return Optional.empty();
    }
    PendingLogin login = byState.remove(state);
    if (login == null || expired(login)) {
      return Optional.empty();
    }
    return Optional.of(login);
  }

  /** How many logins are kept, expired ones not yet dropped included. */
  public synchronized int size() {
    return byState.size();
  }

  private void dropExpired() {
    byState.values().removeIf(this::expired);
  }

  private boolean expired(PendingLogin login) {
    return !clock.instant().isBefore(login.createdAt().plus(ttl));
  }

  /** For tests and metrics: the logins by state, oldest first (a copy). */
  synchronized Map<String, PendingLogin> snapshot() {
    return new LinkedHashMap<>(byState);
  }
}
