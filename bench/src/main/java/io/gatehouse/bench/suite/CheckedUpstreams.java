package io.gatehouse.bench.suite;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The upstreams of the health scenarios, in the suite's JVM on one Vert.x event loop, each counting
 * the connections it accepts: TCP listeners that close every connection at once (what a TCP check
 * needs: the connect) and can be stopped and started again on their port (a database going down and
 * back), and one HTTP server answering every path with 200 unless that path was set to answer
 * another status (an app whose health path fails).
 */
final class CheckedUpstreams implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 10;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final List<Tcp> tcp = new ArrayList<>();
  private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
  private final LongAdder tcpConnections = new LongAdder();
  private final LongAdder httpConnections = new LongAdder();
  private final HttpServer http;

  CheckedUpstreams() {
    http =
        await(
            vertx
                .createHttpServer()
                .connectionHandler(c -> httpConnections.increment())
                .requestHandler(
                    req ->
                        req.response()
                            .setStatusCode(statusByPath.getOrDefault(req.path(), 200))
                            .end("ok"))
                .listen(0, "127.0.0.1"));
  }

  /** A TCP listener, up, on a free port. */
  Tcp tcp() {
    Tcp t = new Tcp(Ports.free());
    t.up();
    tcp.add(t);
    return t;
  }

  int httpPort() {
    return http.actualPort();
  }

  /** Makes {@code path} answer {@code status} (200 again: {@link #ok}). */
  void answer(String path, int status) {
    statusByPath.put(path, status);
  }

  void ok(String path) {
    statusByPath.remove(path);
  }

  /** Connections accepted so far by every TCP listener. */
  long tcpConnections() {
    return tcpConnections.sum();
  }

  /** Connections accepted so far by the HTTP server. */
  long httpConnections() {
    return httpConnections.sum();
  }

  /** One TCP listener on a fixed port, stopped and started by the scenario. */
  final class Tcp {
    final int port;
    private NetServer server;

    private Tcp(int port) {
      this.port = port;
    }

    /** Listens again; connections are accepted (and closed) from when this returns. */
    synchronized void up() {
      if (server == null) {
        server =
            await(
                vertx
                    .createNetServer()
                    .connectHandler(
                        s -> {
                          tcpConnections.increment();
                          s.close();
                        })
                    .listen(port, "127.0.0.1"));
      }
    }

    /** Stops listening; connections are refused from when this returns. */
    synchronized void down() {
      if (server != null) {
        await(server.close());
        server = null;
      }
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("upstream listener: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
