package io.gatehouse.relay.tunnel;

import io.gatehouse.relay.Wire;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.net.NetSocketInternal;

/**
 * The proxy's side of opening a tunnel: an agent's {@code GET /v1/agent/tunnel} with {@code
 * Upgrade: gatehouse-agent-tunnel/2}, on the proxy's TLS port, becomes the HTTP/2 client end of a
 * {@link Tunnel} on the same connection. Who the agent is (its certificate) is the caller's to
 * check before accepting.
 */
public final class TunnelUpgrade {
  private TunnelUpgrade() {}

  /** Whether {@code request} asks for an agent tunnel. */
  public static boolean isRequested(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    return request.method() == HttpMethod.GET
        && Wire.AGENT_TUNNEL_PROTOCOL.equalsIgnoreCase(upgrade)
        && connection != null
        && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
  }

  /**
   * Answers {@code 101} and makes the connection the proxy's end of a tunnel to agent {@code
   * agentId}. Fails when the connection cannot be taken over (e.g. it closed meanwhile).
   */
  public static Future<Tunnel> accept(
      HttpServerRequest request, TunnelSettings settings, String agentId) {
    request
        .response()
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
        .putHeader(HttpHeaders.UPGRADE, Wire.AGENT_TUNNEL_PROTOCOL);
    return request
        .toNetSocket()
        .map(
            socket -> {
              // Vert.x's own handler stays last and sees nothing but the connection's end: the
              // tunnel's handlers, put in front of it, consume every frame.
              NetSocketInternal internal = (NetSocketInternal) socket;
              return Tunnel.proxyEnd(
                  internal.channelHandlerContext().pipeline(), "handler", settings, agentId);
            });
  }
}
