package io.gatehouse.relay;

import java.util.Set;

/**
 * Names of the proxy-agent wire protocol v2 ({@code docs/wire-protocol.md}): the agent's tunnel,
 * its join, and the headers of the sessions that are streams on it; shared by both ends so they
 * cannot drift apart. The codes of {@link #ERROR} are {@link ErrorCode}.
 */
public final class Wire {
  public static final String RESOURCE = "Gatehouse-Resource";
  public static final String SESSION = "Gatehouse-Session";
  public static final String PROXY = "Gatehouse-Proxy";
  public static final String USER = "Gatehouse-User";

  /**
   * The proxy's signed identity of the user (an ES256 JWT), the one {@code Gatehouse-*} header an
   * agent passes on to the app: the proxy drops the user's own and sets it on every app request.
   */
  public static final String JWT_ASSERTION = "Gatehouse-Jwt-Assertion";

  public static final String AGENT = "Gatehouse-Agent";
  public static final String ERROR = "Gatehouse-Error";

  /** Every header of the protocol starts with this (lower case); none reaches an upstream. */
  public static final String PREFIX = "gatehouse-";

  /** On a tunnel, a TCP session's stream: {@code POST}, then raw bytes both ways after the 200. */
  public static final String TUNNEL_PATH = "/.gatehouse/tunnel";

  /**
   * Where a user asks a proxy for a tunnel: {@code GET /v1/tunnel/{kind}/{name}}, upgraded with
   * {@link #TUNNEL_PROTOCOL}.
   */
  public static final String USER_TUNNEL_PATH = "/v1/tunnel/";

  /**
   * The TLS server name (SNI) agents ask every proxy for, whatever address they dial: the proxy
   * answers it with its certificate from the cluster CA, which names it, while users may be shown
   * the operator's own certificate. Under {@code .invalid} (RFC 6761), so it never resolves to
   * anything.
   */
  public static final String TUNNEL_SERVER_NAME = "tunnel.gatehouse.invalid";

  /** Where an agent without a certificate joins with a token: {@code POST}, JSON. */
  public static final String AGENT_JOIN_PATH = "/v1/agent/join";

  /**
   * Where an agent opens its tunnel on a proxy's port, upgraded with {@link
   * #AGENT_TUNNEL_PROTOCOL}.
   */
  public static final String AGENT_TUNNEL_PATH = "/v1/agent/tunnel";

  /**
   * The control stream the proxy opens on each tunnel: one JSON object per line, the proxy set
   * down, (later) the agent's heartbeats up.
   */
  public static final String CONTROL_PATH = "/.gatehouse/control";

  /** The upgrade token of an agent tunnel: HTTP/2 with the proxy as the client, after the 101. */
  public static final String AGENT_TUNNEL_PROTOCOL = "gatehouse-agent-tunnel/2";

  /**
   * On an agent's tunnel upgrade, {@code lane}: this connection is a data lane next to the agent's
   * main tunnel to the same proxy (streams of sessions only: no control stream, no presence of its
   * own). Without it, the connection is the agent's main tunnel.
   */
  public static final String TUNNEL_LANE = "Gatehouse-Tunnel-Lane";

  /** The value of {@link #TUNNEL_LANE} that asks for a lane. */
  public static final String LANE = "lane";

  /**
   * On the proxy's 101 to a main tunnel: how many connections (the main one included) the agent
   * should keep to this proxy, one per proxy event loop, so that each user connection's session
   * stream runs on the thread of the user's connection. Absent means one.
   */
  public static final String TUNNEL_LANES = "Gatehouse-Tunnel-Lanes";

  /** The most lanes an agent keeps to one proxy, whatever the proxy says. */
  public static final int MAX_LANES = 16;

  /**
   * On a tunnel stream, the user's {@code Upgrade} (e.g. {@code websocket}): HTTP/2 has no
   * connection upgrade, so the proxy names it here and the agent performs it upstream.
   */
  public static final String UPGRADE = "Gatehouse-Upgrade";

  /**
   * On a tunnel stream's response, the upstream's answer to an upgrade ({@code 101}): the stream
   * then carries the upgraded connection's bytes.
   */
  public static final String UPGRADED = "Gatehouse-Upgraded";

  public static final String TUNNEL_PROTOCOL = "gatehouse-tunnel/1";

  /** Hop-by-hop headers (RFC 9110 §7.6.1, plus Host and Expect): never forwarded by a relay. */
  public static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "trailers",
          "transfer-encoding",
          "upgrade",
          "host",
          "expect");

  private Wire() {}
}
