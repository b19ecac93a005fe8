package io.gatehouse.agent.internal.metrics;

import io.gatehouse.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers {@code GET /metrics} with the registry's meters in the Prometheus text format, on a port
 * of its own: the relay port only ever takes proxies' sessions, and the metrics port can stay on
 * loopback while the relay listens on the network. Any other path is {@code 404}, any other method
 * {@code 405}. One server on one event loop (a scrape every few seconds needs no more); it does not
 * own the {@link Vertx} it runs on, and closes with it.
 */
public final class MetricsServer {
  private static final String PATH = "/metrics";
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsServer() {}

  /** Binds {@code address} and returns the bound port (the chosen one for port 0). */
  public static Future<Integer> listen(
      Vertx vertx, HostPort address, PrometheusMeterRegistry registry) {
    return vertx
        .createHttpServer()
        .requestHandler(request -> answer(request, registry))
        .listen(address.port(), address.host())
        .map(HttpServer::actualPort);
  }

  private static void answer(HttpServerRequest request, PrometheusMeterRegistry registry) {
    if (!PATH.equals(request.path())) {
      request
          .response()
          .setStatusCode(404)
          .end("not found: only GET " + PATH + " is served here\n");
    } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD").end();
    } else {
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(registry.scrape());
    }
  }
}
