package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.events.ResourceKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeoutException;

/**
 * One health check of a served upstream, reached the way sessions reach it (a dynamic resource's
 * destination resolved and checked again first): a TCP connect, closed at once, for databases,
 * desktops and TCP apps; an HTTP {@code GET} on a fresh connection for HTTP apps (any status below
 * 500, or the configured one) and for clusters ({@code /readyz}, 200). Non-blocking: it runs on the
 * caller's event loop and never holds it. The future succeeds with what the check saw ({@code
 * connected}, {@code HTTP 200}) and fails with why it failed, both short enough for a heartbeat.
 */
public final class UpstreamProbe {
  /** What a cluster answers when it can take requests. */
  static final String KUBE_READY = "/readyz";

  private final Vertx vertx;
  private final NetClient tcp;
  private final HttpClient http;
  private final DestinationDial destinations;

  UpstreamProbe(Vertx vertx, DestinationDial destinations) {
    this.vertx = vertx;
    this.destinations = destinations;
    this.tcp = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    // A fresh connection per check: a pooled one would hide a listener that went away.
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(false)
                .setVerifyHost(true)
                .setDecompressionSupported(false),
            new PoolOptions().setHttp1MaxSize(64));
  }

  /**
   * Checks {@code served}'s upstream once, within {@code served.check().timeout()}. Call it on a
   * Vert.x context: the outcome, a timeout included, completes there.
   */
  public Future<String> check(Served served, String resource) {
    HealthCheck check = served.check();
    Future<InetAddress> address =
        served.guard().isEmpty()
            ? Future.succeededFuture(null)
            : destinations.address(served, resource);
    Future<String> outcome =
        address.compose(
            a ->
                served.upstream().transport() == Upstream.Transport.TCP
                    ? connect(served.upstream(), a, check)
                    : request(served, a, check));
    return within(outcome, check.timeout().toMillis());
  }

  /**
   * {@code outcome}, or a {@link TimeoutException} after {@code millis}, on the caller's context.
   * Not {@code Future.timeout}: the futures here have no context, and for those Vert.x schedules
   * the timeout on Netty's global executor, a hop to another thread and back for every check, and a
   * timeout (an upstream that accepts and never answers) completing on that thread, outside the
   * health checks' context.
   */
  private Future<String> within(Future<String> outcome, long millis) {
    Promise<String> result = Promise.promise();
    long timer =
        vertx.setTimer(
            millis,
            id -> result.tryFail(new TimeoutException("no answer within " + millis + " ms")));
    outcome.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            result.tryFail(ar.cause());
          }
        });
    return result.future();
  }

  private Future<String> connect(Upstream upstream, InetAddress address, HealthCheck check) {
    ConnectOptions options = new ConnectOptions().setTimeout((int) check.timeout().toMillis());
    if (address == null) {
      options.setHost(upstream.host()).setPort(upstream.port());
    } else {
      options.setRemoteAddress(
          SocketAddress.inetSocketAddress(new InetSocketAddress(address, upstream.port())));
    }
    return tcp.connect(options)
        .map(
            socket -> {
              socket.close();
              return "connected";
            });
  }

  private Future<String> request(Served served, InetAddress address, HealthCheck check) {
    Upstream upstream = served.upstream();
    boolean kube = served.resource().kind() == ResourceKind.KUBE;
    String path =
        check.path().orElse(kube ? upstream.basePath() + KUBE_READY : upstream.basePath());
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(upstream.host())
            .setPort(upstream.port())
            .setSsl(upstream.tls())
            .setURI(path.isEmpty() ? "/" : path)
            .setConnectTimeout(check.timeout().toMillis())
            .setIdleTimeout(check.timeout().toMillis())
            .setFollowRedirects(false)
            .putHeader("User-Agent", "gatehouse-agent-health-check");
    if (address != null) {
      options.setServer(
          SocketAddress.inetSocketAddress(new InetSocketAddress(address, upstream.port())));
    }
    int expected = check.expectedStatus().orElse(kube ? 200 : 0);
    return http.request(options)
        .compose(r -> r.send())
        .compose(
            response -> {
              int status = response.statusCode();
              // Read the body away, so the connection closes cleanly; its content is not needed.
              response.handler(b -> {}).exceptionHandler(e -> {});
              return judge(status, expected);
            });
  }

  /** Any status below 500 when {@code expected} is 0, else exactly {@code expected}. */
  static Future<String> judge(int status, int expected) {
    boolean ok = expected == 0 ? status < 500 : status == expected;
    if (ok) {
      return Future.succeededFuture("HTTP " + status);
    }
    return Future.failedFuture(
        new IllegalStateException(
            "HTTP " + status + (expected == 0 ? ", a server error" : ", expected " + expected)));
  }
}
