package io.gatehouse.relay.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * How a tunnel keeps itself alive and how much it buffers. Only the agent pings; the proxy expects
 * its pings. Both ends must use the same settings: a proxy expecting pings more often than its
 * agents send them closes healthy tunnels.
 *
 * @param pingInterval how often the agent pings the proxy (the proxy sends no pings of its own)
 * @param missedPings a tunnel is dead after this many intervals of silence: at the agent, with none
 *     of its pings acknowledged; at the proxy, with nothing heard from the agent
 * @param streamWindow bytes a stream may have in flight before its sender waits (HTTP/2 flow
 *     control); large enough for a bulk transfer to keep a fast link busy
 */
public record TunnelSettings(Duration pingInterval, int missedPings, int streamWindow) {
  /** The agent pings every second; three intervals of silence is dead; 1 MiB per stream. */
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
