package io.gatehouse.cli.client;

import io.gatehouse.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code gatehouse tunnel app/NAME} for an HTTP app: a plain HTTP listener on a local port that
 * sends every request to the app through the proxy (TLS, trusting the profile's CA), with the app's
 * host and the user's credential ({@code Gatehouse-Authorization}) added, so {@code curl
 * http://127.0.0.1:PORT/} and scripts reach the app as the user. Bodies stream both ways; WebSocket
 * upgrades are not relayed (use the browser). Vert.x's HTTP codec on both sides: nothing parsed by
 * hand.
 */
public final class HttpTunnel implements AutoCloseable {
  /** Hop-by-hop headers (RFC 9110, 7.6.1): they belong to one connection, not the request. */
  private static final Set<String> HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host");

  private final Vertx vertx;
  private final HttpServer server;

  private HttpTunnel(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /**
   * Listens on {@code local} and relays to the app {@code appHost} at {@code proxy}.
   *
   * @param caFile the CA the proxy's certificate must chain to; empty: the system's trust store
   * @param credential the user's bearer credential
   * @param onFailure told why a request could not be relayed (the proxy unreachable)
   */
  public static HttpTunnel listen(
      HostPort local,
      HostPort proxy,
      java.util.Optional<Path> caFile,
      String appHost,
      String credential,
      java.util.function.Consumer<String> onFailure)
      throws java.io.IOException {
    Vertx vertx = Vertx.vertx();
    HttpClientOptions options =
        new HttpClientOptions()
            .setSsl(true)
            .setVerifyHost(true)
            .setKeepAlive(true)
            .setConnectTimeout((int) Duration.ofSeconds(5).toMillis());
    caFile.ifPresent(f -> options.setTrustOptions(new PemTrustOptions().addCertPath(f.toString())));
    HttpClient client = vertx.createHttpClient(options);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> relay(request, client, proxy, appHost, credential, onFailure));
    try {
      server
          .listen(local.port(), local.host())
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new java.io.IOException(
          "cannot listen on " + local + ": " + (e.getCause() == null ? e : e.getCause()), e);
    }
    return new HttpTunnel(vertx, server);
  }

  /** The local port (the one picked, when 0 was asked for). */
  public int localPort() {
    return server.actualPort();
  }

  private static void relay(
      HttpServerRequest in,
      HttpClient client,
      HostPort proxy,
      String appHost,
      String credential,
      java.util.function.Consumer<String> onFailure) {
    in.pause();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    in.headers()
        .forEach(
            h -> {
              if (!HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(h.getKey(), h.getValue());
              }
            });
    headers.set("Gatehouse-Authorization", "Bearer " + credential);
    RequestOptions options =
        new RequestOptions()
            .setHost(proxy.host())
            .setPort(proxy.port())
            .setMethod(in.method())
            .setURI(in.uri())
            .setHeaders(headers)
            .putHeader(HttpHeaders.HOST, appHost + ":" + proxy.port());
    client
        .request(options)
        .compose(
            out -> {
              Future<io.vertx.core.http.HttpClientResponse> answer = out.response();
              in.pipeTo(out);
              return answer;
            })
        .onSuccess(
            response -> {
              in.response().setStatusCode(response.statusCode());
              response
                  .headers()
                  .forEach(
                      h -> {
                        if (!HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                          in.response().headers().add(h.getKey(), h.getValue());
                        }
                      });
              if (response.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                in.response().setChunked(true);
              }
              response.pipeTo(in.response());
            })
        .onFailure(
            e -> {
              onFailure.accept("cannot reach the app through " + proxy + ": " + e.getMessage());
              if (!in.response().ended()) {
                in.response()
                    .setStatusCode(502)
                    .end("gatehouse tunnel: cannot reach the proxy at " + proxy + "\n");
              }
            });
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing: nothing left to do with a failure.
    }
  }
}
