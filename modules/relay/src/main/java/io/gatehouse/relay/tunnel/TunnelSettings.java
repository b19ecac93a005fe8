package io.gatehouse.relay.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * How a tunnel keeps itself alive and how much it buffers.
 *
 * @param pingInterval how often each end pings the other
 * @param missedPings a tunnel whose pings go unanswered this many intervals in a row is dead
 * @param streamWindow bytes a stream may have in flight before its sender waits (HTTP/2 flow
 *     control); large enough for a bulk transfer to keep a fast link busy
 */
public record TunnelSettings(Duration pingInterval, int missedPings, int streamWindow) {
  /** Pings every second; three missed is dead; 1 MiB per stream. */
  public static final TunnelSettings DEFAULTS =
      new TunnelSettings(Duration.ofSeconds(1), 3, 1 << 20);

  public TunnelSettings {
    Objects.requireNonNull(pingInterval, "pingInterval");
    if (pingInterval.isNegative() || pingInterval.isZero()) {
      throw new IllegalArgumentException("pingInterval must be positive: " + pingInterval);
    }
    if (missedPings < 1) {
      throw new IllegalArgumentException("missedPings must be at least 1: " + missedPings);
    }
    if (streamWindow < 65_535) {
      throw new IllegalArgumentException("streamWindow must be at least 65535: " + streamWindow);
    }
  }

  /** How long a silent peer may last before its tunnel is closed. */
  public Duration deadAfter() {
    return pingInterval.multipliedBy(missedPings);
  }
}
