package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.HopHeaders;
import io.gatehouse.relay.OpenResponse;
import io.gatehouse.relay.ResponseTimeout;
import io.gatehouse.relay.Wire;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;

/**
 * Reverse-proxies one request to an HTTP upstream through the shared, pooled keep-alive client.
 * Bodies stream in both directions with back-pressure (never buffered whole); hop-by-hop and {@code
 * Gatehouse-*} headers stay behind; {@code Via: 1.1 <agentId>} is added both ways and {@code
 * Gatehouse-Agent} to the response. Connection upgrades (WebSocket, SPDY) become a spliced byte
 * stream once the upstream answers 101.
 */
final class HttpRelay {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpRelay.class);

  private final HttpClient client;
  private final String agentId;
  private final String via;
  private final Duration connectTimeout;
  private final ResponseTimeout responseTimeout;
  private final RelayMetrics metrics;

  HttpRelay(
      HttpClient client,
      String agentId,
      Duration connectTimeout,
      ResponseTimeout responseTimeout,
      RelayMetrics metrics) {
    this.client = client;
    this.agentId = agentId;
    this.via = "1.1 " + agentId;
    this.connectTimeout = connectTimeout;
    this.responseTimeout = responseTimeout;
    this.metrics = metrics;
  }

  void relay(HttpServerRequest request, Served served, String resource) {
    request.pause();
    Upstream upstream = served.upstream();
    boolean upgrade = HopHeaders.isUpgrade(request);
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setHost(upstream.host())
            .setPort(upstream.port())
            .setSsl(upstream.tls())
            .setURI(upstream.basePath() + request.uri())
            .setConnectTimeout(connectTimeout.toMillis())
            .setFollowRedirects(false);
    client
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                dialFailed(request, served, resource, ar.cause());
                return;
              }
              HttpClientRequest upstreamRequest = ar.result();
              // Failures arrive through the response future and the pipes; without a handler
              // Vert.x would also log each one as an error.
              upstreamRequest.exceptionHandler(
                  e ->
                      LOG.debug(
                          "agent {}: {} exchange failed: {}", agentId, resource, e.toString()));
              copyRequestHeaders(request, upstreamRequest);
              if (upgrade) {
                relayUpgrade(request, upstreamRequest, served, resource);
              } else {
                relayExchange(request, upstreamRequest, served, resource);
              }
            });
  }

  private void relayExchange(
      HttpServerRequest request,
      HttpClientRequest upstreamRequest,
      Served served,
      String resource) {
    request.response().closeHandler(v -> upstreamRequest.reset());
    responseTimeout
        .race(upstreamRequest, upstreamRequest.response())
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof ResponseTimeout.Expired) {
                metrics.dialFailed(served.resource().kind(), ErrorCode.UPSTREAM_TIMEOUT);
                RelayFailure.respond(
                    request,
                    ErrorCode.UPSTREAM_TIMEOUT,
                    agentId,
                    resource,
                    "upstream "
                        + served.upstream()
                        + " sent no response within "
                        + responseTimeout.duration().toMillis()
                        + " ms");
              } else if (ar.failed()) {
                dialFailed(request, served, resource, ar.cause());
              } else {
                sendResponse(request, ar.result(), upstreamRequest);
              }
            });
    if (HopHeaders.hasBody(request)) {
      if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
        upstreamRequest.setChunked(true);
      }
      Streams.counted(request, metrics.upstreamBytes())
          .pipeTo(upstreamRequest)
          .onFailure(e -> upstreamRequest.reset());
    } else {
      upstreamRequest.end();
      request.resume();
    }
  }

  private void sendResponse(
      HttpServerRequest request,
      HttpClientResponse upstreamResponse,
      HttpClientRequest upstreamRequest) {
    upstreamResponse.pause();
    HttpServerResponse response = request.response();
    if (response.closed()) {
      upstreamRequest.reset();
      return;
    }
    response.setStatusCode(upstreamResponse.statusCode());
    if (upstreamResponse.statusMessage() != null) {
      response.setStatusMessage(upstreamResponse.statusMessage());
    }
    copyResponseHeaders(upstreamResponse.headers(), response.headers());
    boolean bodyless = HopHeaders.isBodyless(request.method(), upstreamResponse.statusCode());
    if (!bodyless && upstreamResponse.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
      response.setChunked(true);
    }
    Streams.counted(upstreamResponse, metrics.downstreamBytes())
        .pipeTo(new OpenResponse(response))
        .onFailure(
            e -> {
              // Part of the response is out: the proxy can only learn of the failure by a reset.
              upstreamRequest.reset();
              if (!response.ended()) {
                response.reset();
              }
            });
  }

  private void relayUpgrade(
      HttpServerRequest request,
      HttpClientRequest upstreamRequest,
      Served served,
      String resource) {
    upstreamRequest.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    upstreamRequest.putHeader(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
    upstreamRequest
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                dialFailed(request, served, resource, ar.cause());
                return;
              }
              HttpClientResponse upstreamResponse = ar.result();
              if (upstreamResponse.statusCode() != 101) {
                request.resume();
                sendResponse(request, upstreamResponse, upstreamRequest);
                return;
              }
              NetSocket upstreamSocket = upstreamResponse.netSocket();
              upstreamSocket.pause();
              HttpServerResponse response = request.response();
              copyResponseHeaders(upstreamResponse.headers(), response.headers());
              response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
              response.putHeader(
                  HttpHeaders.UPGRADE, upstreamResponse.getHeader(HttpHeaders.UPGRADE));
              metrics.splice(request, upstreamSocket);
            });
  }

  private void dialFailed(
      HttpServerRequest request, Served served, String resource, Throwable error) {
    RelayFailure.respondToDial(request, agentId, served, resource, error, metrics);
  }

  private void copyRequestHeaders(HttpServerRequest from, HttpClientRequest to) {
    MultiMap in = from.headers();
    MultiMap out = to.headers();
    HopHeaders.copy(in, out, true, null);
    String host = from.getHeader(HttpHeaders.HOST);
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
