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
 * proxy of a cluster within its (short) life; dev mode has one. Fails closed: with too many
 * outstanding, nothing more is accepted until some expire.
 */
final class UsedLinks {
  private static final int MAX = 10_000;

  private final Clock clock;
  private final Map<String, Instant> used = new LinkedHashMap<>();

  UsedLinks(Clock clock) {
    this.clock = clock;
  }

  /** True the first time {@code link} is claimed; false after, or when too many are outstanding. */
  boolean claim(Credential link) {
    return claim(link.id(), link.expiresAt());
  }

  /**
   * True the first time {@code id} is claimed; false after, until {@code expiresAt}, or when too
   * many are outstanding.
   */
  synchronized boolean claim(String id, Instant expiresAt) {
    Instant now = clock.instant();
    for (Iterator<Instant> i = used.values().iterator(); i.hasNext(); ) {
      if (i.next().isBefore(now)) {
        i.remove();
      }
    }
    if (used.size() >= MAX || used.containsKey(id)) {
      return false;
    }
    used.put(id, expiresAt);
    return true;
  }
}
