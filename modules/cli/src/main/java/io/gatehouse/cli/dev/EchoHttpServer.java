package io.gatehouse.cli.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo app {@code demo}: answers every request with a plain-text echo of the method, path,
 * headers (the {@code Via} header shows which agent relayed it) and body.
 */
public final class EchoHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "gatehouse-demo-http");
            t.setDaemon(true);
            return t;
          });

  private EchoHttpServer(HttpServer server) {
    this.server = server;
  }

  /** Starts on {@code 127.0.0.1:port} (0 picks a free port). */
  public static EchoHttpServer start(int port) throws IOException {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs:
    // every keep-alive request then waits ~40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    EchoHttpServer echo = new EchoHttpServer(server);
    server.createContext("/", echo::handle);
    server.setExecutor(echo.executor);
    server.start();
    return echo;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      body = buf.toByteArray();
    }
    StringBuilder text = new StringBuilder();
    text.append("gatehouse demo app\n");
    text.append(exchange.getRequestMethod())
        .append(' ')
        .append(exchange.getRequestURI())
        .append('\n');
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(exchange.getRequestHeaders());
    headers.forEach(
        (k, v) -> text.append(k).append(": ").append(String.join(", ", v)).append('\n'));
    text.append('\n').append(new String(body, StandardCharsets.UTF_8));
    byte[] out = text.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
