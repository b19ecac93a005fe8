package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.relay.ResponseTimeout;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/**
 * Dials agents over the wire protocol: one pooled keep-alive HTTP/1.1 client shared by every event
 * loop. A connection that cannot be opened within the dial timeout is an {@link
 * AgentFailure#unreachable unreachable} agent; an agent that does not answer within the response
 * timeout fails the attempt.
 */
final class AgentClient {
  private static final int POOL_PER_AGENT = 256;

  private final HttpClientAgent client;
  private final long dialTimeoutMillis;
  private final ResponseTimeout responseTimeout;

  AgentClient(Vertx vertx, Duration dialTimeout, Duration responseTimeout) {
    this.dialTimeoutMillis = dialTimeout.toMillis();
    this.responseTimeout = new ResponseTimeout(vertx, responseTimeout);
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) dialTimeoutMillis)
                .setDecompressionSupported(false)
                // Agents drop connections when they stop; do not keep idle ones for long.
                .setKeepAliveTimeout(30),
            new PoolOptions().setHttp1MaxSize(POOL_PER_AGENT));
  }

  /** A request to the agent of {@code choice}, on a pooled or new connection. */
  Future<HttpClientRequest> open(AgentChoice choice, HttpMethod method, String uri) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(choice.agent().host())
            .setPort(choice.agent().port())
            .setURI(uri)
            .setConnectTimeout(dialTimeoutMillis)
            .setFollowRedirects(false);
    return client
        .request(options)
        // Failures reach us through the request's futures; without a handler Vert.x would also log
        // every closed tunnel as an error.
        .onSuccess(request -> request.exceptionHandler(e -> {}))
        .recover(
            e ->
                Future.failedFuture(
                    AgentFailure.unreachable(choice.resource(), choice.agent().agentId(), e)));
  }

  /**
   * The agent's response, or a {@link ResponseTimeout.Expired} (and a reset request) when its
   * headers do not arrive within the response timeout; see {@link ResponseTimeout#race}.
   */
  Future<HttpClientResponse> answer(
      HttpClientRequest request, Future<HttpClientResponse> response) {
    return responseTimeout.race(request, response);
  }

  Future<Void> close() {
    return client.close();
  }
}
