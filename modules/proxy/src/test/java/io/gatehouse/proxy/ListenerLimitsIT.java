package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.listener.ConnectionGate;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web port's limits against clients that hold it without using it, on real TLS sockets: a
 * slowloris client is cut at the header-read deadline while others are served, an idle keep-alive
 * connection at the idle timeout, while a tunnel and a streamed response that carry bytes outlive
 * both; a per-address cap, the event-stream cap and loop detection.
 *
 * <p>Three proxies, each with the limits its tests need: {@code timeouts} (header-read 2 s, idle 4
 * s; the agent dials it), {@code idle} (idle 1 s) and {@code caps} (5 connections per address, 2
 * event subscribers).
 */
class ListenerLimitsIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static final Duration HEADER_READ = Duration.ofSeconds(2);
  private static final Duration IDLE = Duration.ofSeconds(4);
  private static final Duration SHORT_IDLE = Duration.ofSeconds(1);
  private static final int PER_ADDRESS = 5;

  /** What the timeouts may be late by on a build machine whose cores are shared. */
  private static final Duration MARGIN = Duration.ofSeconds(3);

  private static Proxy timeouts;
  private static Proxy idle;
  private static Proxy caps;

  @BeforeAll
  static void start() {
    timeouts =
        cluster.proxy(
            "proxy-timeouts",
            "limits: { header_read_timeout: %dms, idle_timeout: %dms }"
                .formatted(HEADER_READ.toMillis(), IDLE.toMillis()));
    idle =
        cluster.proxy(
            "proxy-idle", "limits: { idle_timeout: %dms }".formatted(SHORT_IDLE.toMillis()));
    caps =
        cluster.proxy(
            "proxy-caps",
            "limits: { max_connections_per_address: %d, max_event_subscribers: 2 }"
                .formatted(PER_ADDRESS));
    HttpServer trickle =
        web.upstream(
            req -> {
              HttpServerResponse response = req.response().setChunked(true);
              web.vertx()
                  .setPeriodic(
                      300,
                      id -> {
                        response.write("tick\n");
                        if (response.bytesWritten() >= 12 * 5) {
                          web.vertx().cancelTimer(id);
                          response.end();
                        }
                      });
            });
    NetServer echo =
        Web.await(
            web.vertx()
                .createNetServer()
                .connectHandler(socket -> socket.handler(socket::write))
                .listen(0, "127.0.0.1"));
    cluster.agent(
        "agent-limits",
        """
        app_service:
          apps: [ { name: trickle, uri: "http://127.0.0.1:%d" } ]
        db_service:
          databases: [ { name: echo, protocol: postgres, uri: "127.0.0.1:%d" } ]
        """
            .formatted(trickle.actualPort(), echo.actualPort()));
    cluster.awaitHealthy(timeouts.webAddress(), "app", "trickle", 1);
    cluster.awaitHealthy(timeouts.webAddress(), "db", "echo", 1);
    cluster.awaitReady(caps.webAddress());
    // The agent's connections to the capped proxy are up, none still on its way.
    Eventually.within(Cluster.WAIT)
        .until(
            () ->
                caps.meterRegistry().get("gatehouse.tunnel.lanes").gauge().value()
                    == io.gatehouse.proxy.config.ProxyConfig.DEFAULT_TUNNEL_LANES - 1);
  }

  @Test
  void slowlorisIsClosedAtTheHeaderReadDeadlineWhileOthersAreServed() throws Exception {
    double before = timedOut(timeouts, "header-read");
    CompletableFuture<Duration> slowloris =
        CompletableFuture.supplyAsync(() -> trickleHead(timeouts.webAddress()));
    Duration heldFor = null;
    while (heldFor == null) {
      assertThat(web.get(timeouts.webAddress(), "/healthz").status()).isEqualTo(200);
      try {
        heldFor = slowloris.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still trickling: ask again on the other connection
      }
    }
    assertThat(heldFor).isBetween(HEADER_READ.minusMillis(200), HEADER_READ.plus(MARGIN));
    assertThat(timedOut(timeouts, "header-read")).isGreaterThan(before);
    assertThat(web.get(timeouts.webAddress(), "/healthz").status()).isEqualTo(200);
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    double before = timedOut(idle, "idle");
    try (SSLSocket socket = connect(idle.webAddress())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /healthz HTTP/1.1\r\nHost: " + idle.webAddress() + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
      long answered = System.nanoTime();
      assertThat(closedWithin(socket, SHORT_IDLE.plus(MARGIN))).isTrue();
      Duration open = Duration.ofNanos(System.nanoTime() - answered);
      // The header-read deadline (10 s by default) would have been far later.
      assertThat(open).isBetween(SHORT_IDLE.minusMillis(200), SHORT_IDLE.plus(MARGIN));
    }
    Eventually.within(Cluster.WAIT).until(() -> timedOut(idle, "idle") > before);
  }

  @Test
  void tunnelThatCarriesBytesOutlivesBothTimeoutsAndClosesOnceIdle() throws Exception {
    try (Socket tunnel =
        TunnelClient.open(
            timeouts.webAddress(),
            web.tls(),
            ResourceKind.DB,
            "echo",
            web.bearer(),
            Duration.ofSeconds(5))) {
      tunnel.setSoTimeout((int) Web.TIMEOUT.toMillis());
      long until = System.nanoTime() + HEADER_READ.plus(IDLE).toNanos();
      int sent = 0;
      long lastByte = System.nanoTime();
      while (until - lastByte > 0) {
        tunnel.getOutputStream().write('x');
        tunnel.getOutputStream().flush();
        assertThat(tunnel.getInputStream().read()).as("echo of byte %d", sent++).isEqualTo('x');
        lastByte = System.nanoTime();
        // The client's own pace, slower than nothing and faster than the idle timeout.
        TimeUnit.MILLISECONDS.sleep(300);
      }
      assertThat(closedWithin(tunnel, IDLE.plus(MARGIN))).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - lastByte))
          .isGreaterThan(IDLE.minusMillis(200));
    }
    // The agent's tunnel, which pings every second, was never idle.
    cluster.awaitHealthy(timeouts.webAddress(), "db", "echo", 1);
  }

  @Test
  void streamedResponseOutlivesTheHeaderReadDeadline() {
    long start = System.nanoTime();
    Web.Response r = web.app(timeouts.webAddress(), "trickle", "/", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("tick\n".repeat(12));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(HEADER_READ);
  }

  @Test
  void connectionOverThePerAddressCapIsClosedAndCounted() throws Exception {
    double before = refused(caps, "per-address");
    List<SSLSocket> held = new ArrayList<>();
    try {
      // The test's HTTP client may hold connections of its own: fill up to the cap from there.
      while (openConnections(caps) < PER_ADDRESS) {
        int open = openConnections(caps);
        held.add(connect(caps.webAddress()));
        Eventually.within(Cluster.WAIT).until(() -> openConnections(caps) > open);
      }
      try (SSLSocket over = connect(caps.webAddress())) {
        assertThat(closedWithin(over, MARGIN)).isTrue();
      }
      Eventually.within(Cluster.WAIT).until(() -> refused(caps, "per-address") == before + 1);
      assertThat(openConnections(caps)).isEqualTo(PER_ADDRESS);
    } finally {
      for (SSLSocket s : held) {
        s.close();
      }
    }
    Eventually.within(Cluster.WAIT).until(() -> openConnections(caps) < PER_ADDRESS);
    assertThat(web.get(caps.webAddress(), "/healthz").status()).isEqualTo(200);
  }

  @Test
  void eventStreamBeyondItsSubscriberCapAnswers503UntilOneLeaves() throws Exception {
    HttpResponse<InputStream> first = events(caps.webAddress());
    HttpResponse<InputStream> second = events(caps.webAddress());
    try {
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      Web.Response third = web.get(caps.webAddress(), "/v1/events");
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.header("Retry-After")).isEqualTo("5");
      assertThat(third.header("Gatehouse-Error")).isEqualTo("overloaded");
      JsonObject body = third.json();
      assertThat(body.getInteger("status")).isEqualTo(503);
      assertThat(body.getString("code")).isEqualTo("overloaded");
      assertThat(body.getString("error")).contains("max_event_subscribers");
    } finally {
      second.body().close();
    }
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              HttpResponse<InputStream> again = events(caps.webAddress());
              again.body().close();
              assertThat(again.statusCode()).isEqualTo(200);
            });
    first.body().close();
  }

  @Test
  void requestWhoseViaNamesThisProxyIsRefusedAsALoop() throws Exception {
    String self = "1.1 " + caps.id();
    HttpResponse<String> app = withVia(caps.webAddress(), "web.localhost", "/", "1.0 lb, " + self);
    assertThat(app.statusCode()).isEqualTo(508);
    assertThat(app.headers().firstValue("Gatehouse-Error")).hasValue("loop-detected");
    assertThat(app.body()).contains(caps.id());

    HttpResponse<String> tunnel =
        withVia(caps.webAddress(), caps.webAddress().toString(), "/v1/tunnel/db/pg", self);
    assertThat(tunnel.statusCode()).isEqualTo(508);

    HttpResponse<String> other =
        withVia(caps.webAddress(), "web.localhost", "/", "1.1 another-proxy");
    assertThat(other.statusCode()).as("another hop is no loop").isEqualTo(404);
    HttpResponse<String> api =
        withVia(caps.webAddress(), caps.webAddress().toString(), "/healthz", self);
    assertThat(api.statusCode()).as("the API relays nothing").isEqualTo(200);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * Sends a request head one byte every half second until the proxy closes the connection; how long
   * that took.
   */
  private static Duration trickleHead(HostPort proxy) {
    byte[] head =
        ("GET /healthz HTTP/1.1\r\nHost: " + proxy + "\r\nX-Padding: " + "a".repeat(64) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    SSLSocket socket;
    try {
      socket = connect(proxy);
    } catch (IOException e) {
      throw new AssertionError("slowloris could not connect: " + e, e);
    }
    long start = System.nanoTime();
    try (socket) {
      // Reading with a timeout paces the bytes and sees the close the moment it comes.
      socket.setSoTimeout(500);
      for (byte b : head) {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        try {
          if (socket.getInputStream().read() < 0) {
            return Duration.ofNanos(System.nanoTime() - start);
          }
          throw new AssertionError("the proxy answered a request head it never got in full");
        } catch (SocketTimeoutException e) {
          // still open: the next byte
        }
      }
      throw new AssertionError("the whole head was trickled and the connection is still open");
    } catch (IOException e) {
      return Duration.ofNanos(System.nanoTime() - start); // reset, or TLS closed abruptly
    }
  }

  private static SSLSocket connect(HostPort proxy) throws IOException {
    SSLSocket socket =
        (SSLSocket) web.tls().getSocketFactory().createSocket(proxy.host(), proxy.port());
    socket.startHandshake();
    return socket;
  }

  /** Whether the peer closes {@code socket} within {@code timeout}, reading and dropping bytes. */
  private static boolean closedWithin(Socket socket, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) left);
        if (socket.getInputStream().read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset, or TLS closed without close_notify
    }
  }

  /** A response of known length read off a raw connection: its head and body, as text. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed mid-head: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static HttpResponse<InputStream> events(HostPort proxy) throws Exception {
    return web.httpClient()
        .sendAsync(
            HttpRequest.newBuilder(URI.create(web.base(proxy) + "/v1/events"))
                .timeout(Web.TIMEOUT)
                .header("Authorization", "Bearer " + web.bearer())
                .build(),
            HttpResponse.BodyHandlers.ofInputStream())
        .get(Web.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static HttpResponse<String> withVia(HostPort proxy, String host, String path, String via)
      throws Exception {
    return web.httpClient()
        .send(
            HttpRequest.newBuilder(URI.create(web.base(proxy) + path))
                .timeout(Web.TIMEOUT)
                .header("Host", host)
                .header("Via", via)
                .header("Gatehouse-Authorization", "Bearer " + web.bearer())
                .header("Authorization", "Bearer " + web.bearer())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The connections counted against the test's address: all open ones but the agent's tunnel and
   * lanes, which its certificate exempts from the per-address cap.
   */
  private static int openConnections(Proxy proxy) {
    return (int)
        (proxy.meterRegistry().get(ConnectionGate.OPEN).gauge().value()
            - proxy.meterRegistry().get("gatehouse.agents.alive").gauge().value()
            - proxy.meterRegistry().get("gatehouse.tunnel.lanes").gauge().value());
  }

  private static double refused(Proxy proxy, String reason) {
    return proxy
        .meterRegistry()
        .get(ConnectionGate.REFUSED)
        .tag("reason", reason)
        .counter()
        .count();
  }

  private static double timedOut(Proxy proxy, String timeout) {
    return proxy
        .meterRegistry()
        .get(ConnectionGate.TIMED_OUT)
        .tag("timeout", timeout)
        .counter()
        .count();
  }
}
