package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The login links this proxy has traded, until they expire, so each works once here. Per proxy: a
 * link could be used once on each proxy of a cluster within its (short) life; dev mode has one.
 */
final class UsedLinks {
  private static final int MAX = 10_000;

  private final Clock clock;
  private final Map<String, Instant> used = new LinkedHashMap<>();

  UsedLinks(Clock clock) {
    this.clock = clock;
  }

  /** True the first time {@code link} is claimed; false after, or when too many are outstanding. */
  synchronized boolean claim(Credential link) {
    Instant now = clock.instant();
    for (Iterator<Instant> i = used.values().iterator(); i.hasNext(); ) {
      if (i.next().isBefore(now)) {
        i.remove();
      }
    }
    if (used.size() >= MAX || used.containsKey(link.id())) {
      return false;
    }
    used.put(link.id(), link.expiresAt());
    return true;
  }
}
