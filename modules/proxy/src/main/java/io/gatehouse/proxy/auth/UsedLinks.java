package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one-time values this proxy has accepted (login links, app codes, single sign-on states and
 * codes), until they expire, so each works once here. Per proxy: a value could be used once on each
 * proxy of a cluster within its (short) life; dev mode has one. At most {@value #MAX} are kept;
 * what happens beyond is the {@link WhenFull} policy.
 */
final class UsedLinks {
  static final int MAX = 10_000;

  /** What a claim does while {@value #MAX} unexpired values are remembered. */
  enum WhenFull {
    /** Refuse it: for values only a logged-in user can make, whose replay nothing else stops. */
    REFUSE,
    /**
     * Forget the oldest: for values anyone can make (a flood must not shut logins out), whose
     * replay something else refuses too (the provider takes each authorization code once).
     */
    FORGET_OLDEST
  }

  private final Clock clock;
  private final WhenFull whenFull;
  // Insertion order is claim order, so the first entries are the oldest.
  private final Map<String, Instant> used = new LinkedHashMap<>();

  UsedLinks(Clock clock) {
    this(clock, WhenFull.REFUSE);
  }

  UsedLinks(Clock clock, WhenFull whenFull) {
    this.clock = clock;
    this.whenFull = whenFull;
  }

  /** True the first time {@code link} is claimed; false after, or when too many are outstanding. */
  boolean claim(Credential link) {
    return claim(link.id(), link.expiresAt());
  }

  /**
   * True the first time {@code id} is claimed; false after, until {@code expiresAt}, or when too
   * many are outstanding and the policy is {@link WhenFull#REFUSE}.
   */
  synchronized boolean claim(String id, Instant expiresAt) {
    Instant now = clock.instant();
    for (Iterator<Instant> i = used.values().iterator(); i.hasNext(); ) {
      if (i.next().isBefore(now)) {
        i.remove();
      }
    }
    if (used.containsKey(id)) {
      return false;
    }
    if (used.size() >= MAX) {
      if (whenFull == WhenFull.REFUSE) {
        return false;
      }
      Iterator<String> oldest = used.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    used.put(id, expiresAt);
    return true;
  }
}
