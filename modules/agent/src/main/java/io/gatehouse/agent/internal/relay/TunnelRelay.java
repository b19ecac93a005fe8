package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.Wire;
import io.vertx.core.MultiMap;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * Relays a TCP session: dials the upstream first and only then answers {@code 200}, so a proxy
 * learns of a dead upstream as an HTTP error it can act on; after that the stream is a raw byte
 * stream in both directions with back-pressure.
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

  void relay(ProxyExchange exchange, Served served, String resource) {
    exchange.stream().pause();
    Upstream upstream = served.upstream();
    client
        .connect(upstream.port(), upstream.host())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                RelayFailure.respondToDial(
                    exchange, agentId, served, resource, ar.cause(), metrics);
                return;
              }
              NetSocket upstreamSocket = ar.result();
              upstreamSocket.pause();
              if (exchange.isClosed()) {
                upstreamSocket.close();
                return;
              }
              exchange.respond(
                  200, MultiMap.caseInsensitiveMultiMap().set(Wire.AGENT, agentId), false);
              metrics.splice(exchange.stream(), upstreamSocket);
            });
  }
}
