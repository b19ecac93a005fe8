package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.Wire;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * Relays a TCP session: dials the upstream first and only then answers {@code 101 Switching
 * Protocols}, so a proxy learns of a dead upstream as an HTTP error it can act on; after that the
 * connection is a raw byte stream in both directions with back-pressure.
 */
final class TunnelRelay {
  private final NetClient client;
  private final String agentId;
  private final RelayMetrics metrics;

  TunnelRelay(NetClient client, String agentId, RelayMetrics metrics) {
    this.client = client;
    this.agentId = agentId;
    this.metrics = metrics;
  }

  void relay(HttpServerRequest request, Served served, String resource) {
    request.pause();
    Upstream upstream = served.upstream();
    client
        .connect(upstream.port(), upstream.host())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                RelayFailure.respondToDial(request, agentId, served, resource, ar.cause(), metrics);
                return;
              }
              NetSocket upstreamSocket = ar.result();
              upstreamSocket.pause();
              if (request.response().closed()) {
                upstreamSocket.close();
                return;
              }
              request
                  .response()
                  .putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
                  .putHeader(HttpHeaders.UPGRADE, Wire.TUNNEL_PROTOCOL)
                  .putHeader(Wire.AGENT, agentId);
              metrics.splice(request, upstreamSocket);
            });
  }
}
