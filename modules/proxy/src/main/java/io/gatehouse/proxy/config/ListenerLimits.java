package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ValueParser;
import java.time.Duration;
import java.util.Objects;

/**
 * What one connection, one address and the event stream may hold of the web port ({@code
 * proxy.limits}; {@code docs/proxy.md}, "Limits"). Every value is positive.
 *
 * @param headerReadTimeout a connection that has not sent a complete request head this long after
 *     connecting (the TLS handshake included), or after its previous response ended, is closed:
 *     what ends slowloris, which trickles a head so slowly that no idle timeout fires; also the
 *     longest a keep-alive connection waits for its next request
 * @param idleTimeout a connection with no bytes either way this long is closed, upgraded ones (TCP
 *     tunnels, WebSockets) and streams (server-sent events) included; agent tunnels ping every
 *     second
 * @param maxConnections connections the port holds at once; more are closed as they arrive
 * @param maxConnectionsPerAddress connections one client address holds at once (loopback too)
 * @param maxEventSubscribers clients of {@code /v1/events} at once; more get 503 with {@code
 *     Retry-After}
 * @param maxAgentHandshakes agents' TLS handshakes (SNI {@code tunnel.gatehouse.invalid}) in flight
 *     at once; one more is refused at its ClientHello, before any crypto, and the agent comes back
 *     later: what keeps a fleet reconnecting to a restarted proxy from stalling its event loops
 */
public record ListenerLimits(
    Duration headerReadTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxConnectionsPerAddress,
    int maxEventSubscribers,
    int maxAgentHandshakes) {

  public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 512;
  public static final int DEFAULT_MAX_EVENT_SUBSCRIBERS = 256;

  /**
   * Enough to keep every core busy with handshakes from far agents (a handshake waits a round trip
   * for the agent's certificate), few enough that the handshakes queued on one event loop cost it
   * tens of milliseconds, not the seconds after which a tunnel's ping is missed.
   */
  public static final int DEFAULT_MAX_AGENT_HANDSHAKES = 64;

  /** Every default. */
  public static final ListenerLimits DEFAULTS =
      new ListenerLimits(
          DEFAULT_HEADER_READ_TIMEOUT,
          DEFAULT_IDLE_TIMEOUT,
          DEFAULT_MAX_CONNECTIONS,
          DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
          DEFAULT_MAX_EVENT_SUBSCRIBERS,
          DEFAULT_MAX_AGENT_HANDSHAKES);

  /** Vert.x and Netty take timeouts in whole milliseconds of an {@code int}. */
  private static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);

  public ListenerLimits {
    Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (headerReadTimeout.isNegative()
        || headerReadTimeout.isZero()
        || idleTimeout.isNegative()
        || idleTimeout.isZero()
        || maxConnections < 1
        || maxConnectionsPerAddress < 1
        || maxEventSubscribers < 1
        || maxAgentHandshakes < 1) {
      throw new IllegalArgumentException("every listener limit must be positive");
    }
  }

  /**
   * Reads {@code proxy.limits}, recording every problem at its key; the defaults for what is
   * missing or refused (the document then fails as a whole).
   */
  static ListenerLimits read(ConfigNode limits) {
    Duration headerRead = timeout(limits, "header_read_timeout", DEFAULT_HEADER_READ_TIMEOUT);
    Duration idle = timeout(limits, "idle_timeout", DEFAULT_IDLE_TIMEOUT);
    int total =
        (int) limits.integer("max_connections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
    int perAddress =
        (int)
            limits.integer(
                "max_connections_per_address",
                Math.min(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, total),
                1,
                Integer.MAX_VALUE);
    if (perAddress > total) {
      limits.problem(
          "max_connections_per_address",
          "must not exceed max_connections (" + total + "), got " + perAddress);
    }
    int subscribers =
        (int)
            limits.integer(
                "max_event_subscribers", DEFAULT_MAX_EVENT_SUBSCRIBERS, 1, Integer.MAX_VALUE);
    int handshakes =
        (int)
            limits.integer(
                "max_agent_handshakes", DEFAULT_MAX_AGENT_HANDSHAKES, 1, Integer.MAX_VALUE);
    return new ListenerLimits(
        headerRead, idle, total, Math.min(perAddress, total), subscribers, handshakes);
  }

  private static Duration timeout(ConfigNode limits, String key, Duration defaultValue) {
    Duration d = limits.value(key, ValueParser.positiveDuration(), defaultValue);
    if (d.compareTo(LONGEST) > 0) {
      limits.problem(key, "must be at most " + LONGEST.toDays() + " days, got " + d);
      return defaultValue;
    }
    return d;
  }
}
