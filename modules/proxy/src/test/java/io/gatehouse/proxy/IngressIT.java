package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.relay.client.TunnelRefusedException;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Traffic through the proxy's single web port to real upstreams: an embedded PostgreSQL through a
 * TCP tunnel served by two agents (one killed midway), streaming HTTP bodies both ways, a user
 * leaving mid-body, and a WebSocket upgrade.
 */
class IngressIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HttpServer upstream;
  private static EmbeddedPostgres postgres;
  private static HostPort proxy;
  private static Map<String, Agent> pgAgents = new HashMap<>();
  private static final AtomicReference<Promise<Void>> gate = new AtomicReference<>();
  private static final AtomicInteger firehosesClosed = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    upstream =
        web.upstream(
            req -> {
              switch (req.path()) {
                case "/stream" -> {
                  Promise<Void> g = Promise.promise();
                  gate.set(g);
                  req.response().setChunked(true).putHeader("Content-Type", "text/plain");
                  req.response().write("first\n");
                  g.future().onComplete(v -> req.response().end("second\n"));
                }
                case "/firehose" -> firehose(req.response());
                case "/upload" -> {
                  req.response().setChunked(true);
                  req.pipeTo(req.response());
                }
                default -> req.response().end("hello");
              }
            },
            ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo " + m)));
    postgres = cluster.adopt(EmbeddedPostgres.builder().start());
    proxy = cluster.proxy("proxy-ingress").webAddress();
    cluster.app("web-1", "web", upstream.actualPort());
    String db =
        "db_service:\n  databases:\n    - { name: pg, protocol: postgres, uri: \"127.0.0.1:%d\" }"
            .formatted(postgres.getPort());
    pgAgents.put("pg-1", cluster.agent("pg-1", db));
    pgAgents.put("pg-2", cluster.agent("pg-2", db));
    cluster.awaitHealthy(proxy, "db", "pg", 2);
    cluster.awaitHealthy(proxy, "app", "web", 1);
  }

  /** Writes 64 KiB chunks, each once the last is on the socket, until the response is closed. */
  private static void firehose(HttpServerResponse response) {
    response.setChunked(true).closeHandler(v -> firehosesClosed.incrementAndGet());
    pour(response, Buffer.buffer(new byte[64 * 1024]));
  }

  private static void pour(HttpServerResponse response, Buffer chunk) {
    response.write(chunk).onSuccess(v -> pour(response, chunk));
  }

  private static int query(int localPort, String sql) throws SQLException {
    String url =
        "jdbc:postgresql://127.0.0.1:"
            + localPort
            + "/postgres?user=postgres&connectTimeout=10&sslmode=disable";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void queryThroughTunnelReachesPostgresViaTwoAgentsAndSurvivesKillingOne() throws Exception {
    try (TunnelClient.LocalTunnel tunnel =
        TunnelClient.listen(
            new HostPort("127.0.0.1", 0),
            proxy,
            web.tls(),
            ResourceKind.DB,
            "pg",
            web.bearer(),
            Duration.ofSeconds(5))) {
      String url =
          "jdbc:postgresql://127.0.0.1:"
              + tunnel.localPort()
              + "/postgres?user=postgres&connectTimeout=10&sslmode=disable";
      String victim;
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("select 6 * 7")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(42);
        }
        // While the connection is open its session is pinned, listed, and audited as started.
        JsonObject session =
            web.get(proxy, "/v1/sessions").array().stream()
                .map(JsonObject.class::cast)
                .filter(o -> o.getString("transport").equals("tcp"))
                .findFirst()
                .orElseThrow();
        assertThat(session.getString("kind")).isEqualTo("db");
        assertThat(session.getString("name")).isEqualTo("pg");
        victim = session.getString("agent");
      }
      // Closing the connection ends the session: the pin is tombstoned and the end audited with
      // bytes.
      AtomicReference<String> first = new AtomicReference<>();
      Eventually.within(WAIT)
          .untilAsserted(
              () -> {
                assertThat(
                        web.get(proxy, "/v1/sessions").array().stream().map(JsonObject.class::cast))
                    .noneMatch(o -> o.getString("transport").equals("tcp"));
                List<AuditEvent> ends = cluster.audit("session.end", "db/pg");
                assertThat(ends).hasSize(1);
                assertThat(ends.get(0).getOutcome()).isEqualTo("closed");
                assertThat(ends.get(0).getBytesIn()).isPositive();
                assertThat(ends.get(0).getBytesOut()).isPositive();
                assertThat(ends.get(0).getAgentId()).isEqualTo(victim);
                first.set(ends.get(0).getSessionId());
              });

      pgAgents.get(victim).kill();
      String survivor = victim.equals("pg-1") ? "pg-2" : "pg-1";
      for (int i = 0; i < 10; i++) {
        assertThat(query(tunnel.localPort(), "select " + i)).isEqualTo(i);
      }
      Eventually.within(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          cluster.audit("session.start", "db/pg").stream()
                              .filter(e -> !e.getSessionId().equals(first.get())))
                      .hasSize(10)
                      .allSatisfy(e -> assertThat(e.getAgentId()).isEqualTo(survivor)));
    }
  }

  @Test
  void tunnelToUnknownResourceIsRefusedWith404() {
    assertThatThrownBy(
            () ->
                TunnelClient.open(
                    proxy, web.tls(), ResourceKind.DB, "nope", web.bearer(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            TunnelRefusedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).isEqualTo("unknown-resource");
              assertThat(e.getMessage()).contains("db/nope");
            });
  }

  @Test
  void tunnelWithoutUpgradeIsABadRequest() {
    Web.Response r = web.get(proxy, "/v1/tunnel/db/pg");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("Upgrade: gatehouse-tunnel/1");
  }

  @Test
  void responseBodyStreamsBeforeTheUpstreamHasFinished() throws Exception {
    HttpClient client = web.httpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(web.base(proxy) + "/stream"))
            .header("Host", "web.localhost")
            .header("Gatehouse-Authorization", "Bearer " + web.bearer())
            .build();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Gatehouse-Agent")).contains("web-1");
    try (InputStream in = response.body()) {
      byte[] first = new byte[6];
      int n = 0;
      while (n < 6) {
        n += in.read(first, n, 6 - n);
      }
      // The upstream has not finished yet: the proxy relayed what it had.
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("first\n");
      gate.get().complete();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second\n");
    }
  }

  @Test
  void aUserLeavingMidBodyStopsTheUpstreamAndLogsNoError() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      for (int i = 1; i <= 5; i++) {
        try (Socket user = web.tls().getSocketFactory().createSocket(proxy.host(), proxy.port())) {
          user.getOutputStream()
              .write(
                  ("GET /firehose HTTP/1.1\r\nHost: web.localhost\r\nGatehouse-Authorization: Bearer "
                          + web.bearer()
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
          user.getInputStream().readNBytes(256 * 1024); // part of the body, then the user goes away
        }
        int closed = i;
        // The proxy resets its exchange with the agent, which resets its exchange with the
        // upstream.
        Eventually.within(WAIT).until(() -> firehosesClosed.get() >= closed);
      }
    } finally {
      root.detachAppender(logged);
    }
    assertThat(logged.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .isEmpty();
  }

  @Test
  void largeRequestBodyStreamsThroughAndBack() throws Exception {
    byte[] body = new byte[8 * 1024 * 1024];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    HttpClient client = web.httpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(web.base(proxy) + "/upload"))
            .header("Host", "web.localhost")
            .header("Gatehouse-Authorization", "Bearer " + web.bearer())
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body)))
            .build();
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void webSocketUpgradePassesThrough() throws Exception {
    WebSocketClient client = web.vertx().createWebSocketClient(web.webSocketOptions());
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(proxy.host())
            .setPort(proxy.port())
            .setURI("/ws")
            .addHeader("Host", "web.localhost:" + proxy.port())
            .addHeader("Gatehouse-Authorization", "Bearer " + web.bearer());
    WebSocket ws = Web.await(client.connect(options));
    CompletableFuture<String> reply = new CompletableFuture<>();
    ws.textMessageHandler(reply::complete);
    ws.writeTextMessage("ping");
    assertThat(reply.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("echo ping");
    assertThat(ws.headers().get("Gatehouse-Agent")).isEqualTo("web-1");
    Web.await(ws.close());
    Web.await(client.close());
  }
}
