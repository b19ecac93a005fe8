package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.Wire;
import io.vertx.core.MultiMap;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Relays a TCP session: dials the upstream first and only then answers {@code 200}, so a proxy
 * learns of a dead upstream as an HTTP error it can act on; after that the stream is a raw byte
 * stream in both directions with back-pressure.
 */
final class TunnelRelay {
  private final NetClient client;
  private final String agentId;
  private final RelayMetrics metrics;
  private final DestinationDial destinations;
  private final UpstreamRefusals refusals;

  TunnelRelay(
      NetClient client,
      String agentId,
      RelayMetrics metrics,
      DestinationDial destinations,
      UpstreamRefusals refusals) {
    this.client = client;
    this.refusals = refusals;
    this.agentId = agentId;
    this.metrics = metrics;
    this.destinations = destinations;
  }

  void relay(ProxyExchange exchange, Served served, String resource) {
    exchange.stream().pause();
    if (served.guard().isEmpty()) {
      dial(exchange, served, resource, null);
      return;
    }
    destinations
        .address(served, resource)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                RelayFailure.respondToDial(
                    exchange, agentId, served, resource, ar.cause(), metrics, refusals);
              } else {
                dial(exchange, served, resource, ar.result());
              }
            });
  }

  /** Dials the upstream: {@code address} when given (its name resolved and checked). */
  private void dial(ProxyExchange exchange, Served served, String resource, InetAddress address) {
    Upstream upstream = served.upstream();
    (address == null
            ? client.connect(upstream.port(), upstream.host())
            : client.connect(
                SocketAddress.inetSocketAddress(new InetSocketAddress(address, upstream.port()))))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                RelayFailure.respondToDial(
                    exchange, agentId, served, resource, ar.cause(), metrics, refusals);
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
