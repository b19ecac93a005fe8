package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.HopHeaders;
import io.gatehouse.relay.ResponseTimeout;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Reverse-proxies one request to an HTTP upstream through the pooled keep-alive client of the
 * stream's event loop ({@link LoopClients}). Bodies stream in both directions with back-pressure
 * (never buffered whole); hop-by-hop and {@code Gatehouse-*} headers stay behind; {@code Via: 1.1
 * <agentId>} is added both ways and {@code Gatehouse-Agent} to the response. An upgrade the proxy
 * names in {@code Gatehouse-Upgrade} (WebSocket) is made upstream; once the upstream answers 101,
 * the response says so in {@code Gatehouse-Upgraded} and the stream carries the upgraded
 * connection's bytes.
 */
final class HttpRelay {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpRelay.class);

  private final LoopClients clients;
  private final String agentId;
  private final String via;
  private final Duration connectTimeout;
  private final ResponseTimeout responseTimeout;
  private final RelayMetrics metrics;
  private final DestinationDial destinations;
  private final UpstreamRefusals refusals;

  HttpRelay(
      LoopClients clients,
      String agentId,
      Duration connectTimeout,
      ResponseTimeout responseTimeout,
      RelayMetrics metrics,
      DestinationDial destinations,
      UpstreamRefusals refusals) {
    this.destinations = destinations;
    this.refusals = refusals;
    this.clients = clients;
    this.agentId = agentId;
    this.via = "1.1 " + agentId;
    this.connectTimeout = connectTimeout;
    this.responseTimeout = responseTimeout;
    this.metrics = metrics;
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
                dialFailed(exchange, served, resource, ar.cause());
              } else {
                dial(exchange, served, resource, ar.result());
              }
            });
  }

  /**
   * Sends the request upstream; to {@code address} when given (a name resolved and checked), with
   * the upstream's name still in {@code Host} and TLS's server name.
   */
  private void dial(ProxyExchange exchange, Served served, String resource, InetAddress address) {
    Upstream upstream = served.upstream();
    String upgrade = exchange.header(Wire.UPGRADE);
    RequestOptions options =
        new RequestOptions()
            .setMethod(exchange.method())
            .setHost(upstream.host())
            .setPort(upstream.port())
            .setSsl(upstream.tls())
            .setURI(upstream.basePath() + exchange.uri())
            .setConnectTimeout(connectTimeout.toMillis())
            .setFollowRedirects(false);
    if (address != null) {
      options.setServer(
          SocketAddress.inetSocketAddress(new InetSocketAddress(address, upstream.port())));
    }
    clients
        .current()
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                dialFailed(exchange, served, resource, ar.cause());
                return;
              }
              HttpClientRequest upstreamRequest = ar.result();
              // Failures arrive through the response future and the pipes; without a handler
              // Vert.x would also log each one as an error.
              upstreamRequest.exceptionHandler(
                  e ->
                      LOG.debug(
                          "agent {}: {} exchange failed: {}", agentId, resource, e.toString()));
              copyRequestHeaders(exchange, upstreamRequest);
              if (upgrade != null) {
                relayUpgrade(exchange, upstreamRequest, upgrade, served, resource);
              } else {
                relayExchange(exchange, upstreamRequest, served, resource);
              }
            });
  }

  private void relayExchange(
      ProxyExchange exchange, HttpClientRequest upstreamRequest, Served served, String resource) {
    TunnelStream stream = exchange.stream();
    stream.closeFuture().onComplete(v -> upstreamRequest.reset());
    responseTimeout
        .race(upstreamRequest, upstreamRequest.response())
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof ResponseTimeout.Expired) {
                metrics.dialFailed(served.resource().kind(), ErrorCode.UPSTREAM_TIMEOUT);
                RelayFailure.respond(
                    exchange,
                    ErrorCode.UPSTREAM_TIMEOUT,
                    agentId,
                    resource,
                    "upstream "
                        + served.upstream()
                        + " sent no response within "
                        + responseTimeout.duration().toMillis()
                        + " ms");
              } else if (ar.failed()) {
                dialFailed(exchange, served, resource, ar.cause());
              } else {
                sendResponse(exchange, ar.result(), upstreamRequest);
              }
            });
    if (exchange.hasBody()) {
      if (exchange.header(HttpHeaders.CONTENT_LENGTH.toString()) == null) {
        upstreamRequest.setChunked(true);
      }
      Streams.counted(stream, metrics.upstreamBytes())
          .pipe()
          .endOnFailure(false)
          .to(upstreamRequest)
          .onFailure(e -> upstreamRequest.reset());
    } else {
      upstreamRequest.end();
    }
  }

  private void sendResponse(
      ProxyExchange exchange,
      HttpClientResponse upstreamResponse,
      HttpClientRequest upstreamRequest) {
    upstreamResponse.pause();
    if (exchange.isClosed()) {
      upstreamRequest.reset();
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    copyResponseHeaders(upstreamResponse.headers(), headers);
    boolean bodyless =
        HopHeaders.isBodyless(exchange.method(), upstreamResponse.statusCode())
            || "0".equals(upstreamResponse.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (bodyless) {
      exchange.respond(upstreamResponse.statusCode(), headers, true);
      upstreamResponse.resume();
      return;
    }
    exchange.respond(upstreamResponse.statusCode(), headers, false);
    TunnelStream stream = exchange.stream();
    Streams.counted(upstreamResponse, metrics.downstreamBytes())
        .pipe()
        .endOnFailure(false)
        .to(stream)
        .onFailure(
            e -> {
              // Part of the response is out: the proxy can only learn of the failure by a reset.
              upstreamRequest.reset();
              stream.reset();
            });
  }

  private void relayUpgrade(
      ProxyExchange exchange,
      HttpClientRequest upstreamRequest,
      String upgrade,
      Served served,
      String resource) {
    upstreamRequest.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    upstreamRequest.putHeader(HttpHeaders.UPGRADE, upgrade);
    upstreamRequest
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                dialFailed(exchange, served, resource, ar.cause());
                return;
              }
              HttpClientResponse upstreamResponse = ar.result();
              if (upstreamResponse.statusCode() != 101) {
                sendResponse(exchange, upstreamResponse, upstreamRequest);
                return;
              }
              NetSocket upstreamSocket = upstreamResponse.netSocket();
              upstreamSocket.pause();
              if (exchange.isClosed()) {
                upstreamSocket.close();
                return;
              }
              MultiMap headers = MultiMap.caseInsensitiveMultiMap();
              copyResponseHeaders(upstreamResponse.headers(), headers);
              headers.set(Wire.UPGRADED, upstreamResponse.getHeader(HttpHeaders.UPGRADE));
              exchange.respond(200, headers, false);
              metrics.splice(exchange.stream(), upstreamSocket);
            });
  }

  private void dialFailed(ProxyExchange exchange, Served served, String resource, Throwable error) {
    RelayFailure.respondToDial(exchange, agentId, served, resource, error, metrics, refusals);
  }

  private void copyRequestHeaders(ProxyExchange from, HttpClientRequest to) {
    MultiMap in = from.headers();
    MultiMap out = to.headers();
    HopHeaders.copy(in, out, true, null);
    String assertion = in.get(Wire.JWT_ASSERTION);
    if (assertion != null) {
      out.set(Wire.JWT_ASSERTION, assertion);
    }
    String host = from.header(HttpHeaders.HOST.toString());
    if (host != null && !in.contains("X-Forwarded-Host")) {
      out.set("X-Forwarded-Host", host);
    }
    out.add("Via", via);
  }

  private void copyResponseHeaders(MultiMap in, MultiMap out) {
    HopHeaders.copy(in, out, true, null);
    out.add("Via", via);
    out.set(Wire.AGENT, agentId);
  }
}
