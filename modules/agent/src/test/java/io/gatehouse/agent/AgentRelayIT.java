package io.gatehouse.agent;

import static io.gatehouse.agent.TestProxy.SESSION_ID;
import static io.gatehouse.agent.TestProxy.WAIT;
import static io.gatehouse.agent.TestProxy.await;
import static io.gatehouse.agent.TestProxy.sessionHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.TestProxy.Session;
import io.gatehouse.relay.Wire;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against real upstreams over real sockets, every session sent as a proxy sends it: a
 * stream on the agent's tunnel to a {@link TestProxy}. Upstreams: a Vert.x HTTP server (status,
 * headers, streaming bodies, WebSocket), a TCP echo and an embedded PostgreSQL.
 */
class AgentRelayIT {

  private static final String AGENT = "agent-relay";

  @TempDir static Path dir;

  private static Vertx vertx;
  private static HttpServer upstream;
  private static final AtomicInteger upstreamConnections = new AtomicInteger();
  private static final AtomicReference<MultiMap> lastUpstreamHeaders = new AtomicReference<>();
  private static final AtomicReference<String> lastUpstreamUri = new AtomicReference<>();
  private static final AtomicReference<Promise<Void>> release = new AtomicReference<>();
  private static final AtomicLong echoed = new AtomicLong();
  private static final AtomicBoolean echoHeldBack = new AtomicBoolean();
  private static NetServer echo;
  private static EmbeddedPostgres postgres;
  private static int closedPort;
  private static SimpleMeterRegistry registry;
  private static TestProxy proxy;
  private static Agent agent;

  @BeforeAll
  static void startUpstreamsProxyAndAgent() throws Exception {
    vertx = Vertx.vertx();
    upstream =
        await(
            vertx
                .createHttpServer()
                .connectionHandler(c -> upstreamConnections.incrementAndGet())
                .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
                .requestHandler(
                    req -> {
                      lastUpstreamHeaders.set(
                          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
                      lastUpstreamUri.set(req.uri());
                      switch (req.path()) {
                        case "/base/echo" ->
                            req.body()
                                .onSuccess(
                                    body ->
                                        req.response()
                                            .setStatusCode(201)
                                            .putHeader("X-Upstream", "echo")
                                            .putHeader("Set-Cookie", "a=1")
                                            .putHeader("Keep-Alive", "timeout=5")
                                            .putHeader("Gatehouse-Error", "spoofed")
                                            .end("uri=" + req.uri() + " body=" + body.length()));
                        case "/base/stream" -> {
                          Promise<Void> gate = Promise.promise();
                          release.set(gate);
                          req.response().setChunked(true).putHeader("Content-Type", "text/plain");
                          req.response().write("first\n");
                          gate.future().onComplete(v -> req.response().end("second\n"));
                        }
                        case "/base/upload" -> {
                          req.response().setChunked(true);
                          req.pipeTo(req.response());
                        }
                        case "/base/slow" -> {
                          /* never answers */
                        }
                        default -> req.response().setStatusCode(404).end();
                      }
                    })
                .listen(0, "127.0.0.1"));
    echo =
        await(
            vertx
                .createNetServer()
                .connectHandler(
                    socket ->
                        // An echo that counts what it read and reads no faster than it can write.
                        socket.handler(
                            b -> {
                              echoed.addAndGet(b.length());
                              socket.write(b);
                              if (socket.writeQueueFull()) {
                                echoHeldBack.set(true);
                                socket.pause();
                                socket.drainHandler(
                                    v -> {
                                      echoHeldBack.set(false);
                                      socket.resume();
                                    });
                              }
                            }))
                .listen(0, "127.0.0.1"));
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    postgres = EmbeddedPostgres.builder().start();

    proxy = TestProxy.start(dir.resolve("ca"));
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
          relay: { connect_timeout: 2s, response_timeout: 1s, pool_size: 4 }
        app_service:
          apps:
            - { name: web, uri: "http://127.0.0.1:%d/base" }
            - { name: dead, uri: "http://127.0.0.1:%d" }
            - { name: echo, uri: "tcp://127.0.0.1:%d" }
        db_service:
          databases:
            - { name: pg, protocol: postgres, uri: "127.0.0.1:%d" }
            - { name: deaddb, protocol: postgres, uri: "tcp://127.0.0.1:%d" }
        """
            .formatted(
                AGENT,
                proxy.address(),
                proxy.provision(AGENT, dir.resolve("agent")),
                upstream.actualPort(),
                closedPort,
                echo.actualPort(),
                postgres.getPort(),
                closedPort);
    registry = new SimpleMeterRegistry();
    agent = Agent.builder(AgentConfig.parse(yaml, "relay.yaml")).meterRegistry(registry).start();
    proxy.awaitTunnel(AGENT);
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static Session get(String resource, String uri) {
    return proxy.send(AGENT, HttpMethod.GET, uri, sessionHeaders(resource));
  }

  private static double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  private static double dialFailures(String kind) {
    return registry
        .get("gatehouse.agent.upstream.dial.failures")
        .tag("kind", kind)
        .tag("reason", "refused")
        .counter()
        .count();
  }

  @Test
  void httpRelayPassesStatusHeadersAndBodyAndAddsVia() {
    MultiMap headers =
        sessionHeaders("app/web")
            .set("Host", "web.gatehouse.test")
            .set("X-Custom", "kept")
            .set("Gatehouse-User", "alice")
            .set("Gatehouse-Anything", "never forwarded");
    Session response = proxy.send(AGENT, HttpMethod.POST, "/echo?q=1", headers, "hello");

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("uri=/base/echo?q=1 body=5");
    assertThat(response.header("X-Upstream")).isEqualTo("echo");
    assertThat(response.header("Set-Cookie")).isEqualTo("a=1");
    assertThat(response.headers("Via")).contains("1.1 agent-relay");
    assertThat(response.header(Wire.AGENT)).isEqualTo(AGENT);
    assertThat(response.header(Wire.ERROR)).as("upstreams cannot speak the protocol").isNull();
    assertThat(response.header("Keep-Alive")).as("hop-by-hop").isNull();

    MultiMap seen = lastUpstreamHeaders.get();
    assertThat(lastUpstreamUri.get()).isEqualTo("/base/echo?q=1");
    assertThat(seen.getAll("Via")).contains("1.1 agent-relay");
    assertThat(seen.get("X-Custom")).isEqualTo("kept");
    assertThat(seen.get("X-Forwarded-Host"))
        .as("the user's Host, carried as the stream's :authority")
        .isEqualTo("web.gatehouse.test");
    assertThat(seen.get("Host")).isEqualTo("127.0.0.1:" + upstream.actualPort());
    assertThat(seen.names())
        .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("gatehouse-"))
        .as("the HTTP/2 codec's own headers")
        .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("x-http2-"));
  }

  @Test
  void httpRelayStreamsTheResponseBodyBeforeItEnds() {
    Session response = get("app/web", "/stream");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers("Via")).contains("1.1 agent-relay");

    // The upstream holds the rest of the body until the first line has reached the proxy: a
    // relay that buffered whole bodies would never deliver it.
    assertThat(new String(response.awaitReceived(6), StandardCharsets.UTF_8)).isEqualTo("first\n");
    assertThat(response.ended()).isNotDone();
    release.get().complete();
    assertThat(response.body()).isEqualTo("first\nsecond\n");
  }

  @Test
  void httpRelayStreamsALargeBodyBothWays() throws Exception {
    double up = counter("gatehouse.agent.relayed.bytes", "direction", "upstream");
    double down = counter("gatehouse.agent.relayed.bytes", "direction", "downstream");
    byte[] payload = new byte[8 * 1024 * 1024];
    new Random(3).nextBytes(payload);

    Session upload = proxy.open(AGENT, HttpMethod.POST, "/upload", sessionHeaders("app/web"));
    upload.writeAll(payload).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    upload.end();

    assertThat(upload.status()).isEqualTo(200);
    byte[] body = upload.bodyBytes();
    assertThat(body).hasSize(payload.length);
    assertThat(Arrays.mismatch(body, payload)).as("first differing byte").isEqualTo(-1);
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "upstream") - up)
        .isGreaterThanOrEqualTo(payload.length);
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "downstream") - down)
        .isGreaterThanOrEqualTo(payload.length);
  }

  @Test
  void upstreamConnectionsAreKeptAliveAndPooled() {
    get("app/web", "/echo").body();
    int before = upstreamConnections.get();
    for (int i = 0; i < 20; i++) {
      Session response = get("app/web", "/echo?i=" + i);
      assertThat(response.status()).isEqualTo(201);
      response.body();
    }
    assertThat(upstreamConnections.get() - before)
        .as("new upstream connections for 20 requests")
        .isLessThanOrEqualTo(2);
  }

  @Test
  void sessionIdsHaveTheOneFormatProxiesGenerate() {
    Session upperCase =
        proxy.send(
            AGENT,
            HttpMethod.GET,
            "/",
            sessionHeaders("app/web").set(Wire.SESSION, SESSION_ID.toUpperCase(Locale.ROOT)));
    assertThat(upperCase.status()).isEqualTo(400);
    assertThat(upperCase.header(Wire.ERROR)).isEqualTo("bad-request");
    assertThat(upperCase.body()).contains("malformed header Gatehouse-Session");

    assertThat(get("app/web", "/").status()).isNotEqualTo(400);
  }

  @Test
  void badOrMissingGatehouseHeadersAreRefusedAndNamed() {
    assertRefused(
        sessionHeaders("app/web").remove(Wire.RESOURCE),
        "agent agent-relay: missing header Gatehouse-Resource\n");
    assertRefused(
        sessionHeaders("application/web"),
        "agent agent-relay: application/web: malformed header Gatehouse-Resource"
            + " 'application/web' (expected kind/name, e.g. app/demo)\n");
    assertRefused(
        sessionHeaders("app/web").remove(Wire.SESSION),
        "agent agent-relay: app/web: missing header Gatehouse-Session\n");
    assertRefused(
        sessionHeaders("app/web").remove(Wire.PROXY),
        "agent agent-relay: app/web: missing header Gatehouse-Proxy\n");
    assertRefused(
        sessionHeaders("app/web").set(Wire.PROXY, "a/b"),
        "agent agent-relay: app/web: malformed header Gatehouse-Proxy\n");
  }

  @Test
  void aSessionMustNameItsTunnelsProxyAndAUser() {
    assertRefused(
        sessionHeaders("app/web").set(Wire.PROXY, "proxy-other"),
        "agent agent-relay: app/web: the session names proxy proxy-other but came on the tunnel"
            + " of proxy "
            + TestProxy.PROXY_ID
            + "\n");
    assertRefused(
        sessionHeaders("app/web").remove(Wire.USER),
        "agent agent-relay: app/web: missing header Gatehouse-User (a session is opened for a"
            + " user)\n");
  }

  private static void assertRefused(MultiMap headers, String body) {
    Session refused = proxy.send(AGENT, HttpMethod.GET, "/", headers);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.header(Wire.ERROR)).isEqualTo("bad-request");
    assertThat(refused.header(Wire.AGENT)).isEqualTo(AGENT);
    assertThat(refused.body()).isEqualTo(body);
  }

  @Test
  void failuresAreDistinctAndNameTheAgentAndTheResource() {
    Session notServed = get("app/nope", "/");
    assertThat(notServed.status()).isEqualTo(421);
    assertThat(notServed.header(Wire.ERROR)).isEqualTo("not-serving");
    assertThat(notServed.body())
        .isEqualTo("agent agent-relay: app/nope: not served by this agent\n");

    double refusedBefore = dialFailures("app");
    Session refused = get("app/dead", "/");
    assertThat(refused.status()).isEqualTo(502);
    assertThat(refused.header(Wire.ERROR)).isEqualTo("upstream-refused");
    assertThat(refused.body())
        .startsWith(
            "agent agent-relay: app/dead: upstream http://127.0.0.1:"
                + closedPort
                + " refused the connection");
    assertThat(dialFailures("app")).isEqualTo(refusedBefore + 1);

    Session slow = get("app/web", "/slow");
    assertThat(slow.status()).isEqualTo(504);
    assertThat(slow.header(Wire.ERROR)).isEqualTo("upstream-timeout");
    assertThat(slow.body())
        .contains("agent agent-relay: app/web: upstream", "sent no response within 1000 ms");

    Session httpToTcp = get("db/pg", "/");
    assertThat(httpToTcp.status()).isEqualTo(400);
    assertThat(httpToTcp.header(Wire.ERROR)).isEqualTo("bad-request");
    assertThat(httpToTcp.body())
        .contains("a TCP resource: open a TCP session (POST /.gatehouse/tunnel)");
  }

  @Test
  void webSocketUpgradesNamedInGatehouseUpgradeAreRelayedAsAStream() {
    MultiMap headers =
        sessionHeaders("app/web")
            .set(Wire.UPGRADE, "websocket")
            .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .set("Sec-WebSocket-Version", "13");
    Session ws = proxy.open(AGENT, HttpMethod.GET, "/ws", headers);

    assertThat(ws.status()).as("HTTP/2 has no 101: the agent says 200 + Upgraded").isEqualTo(200);
    assertThat(ws.header(Wire.UPGRADED)).isEqualToIgnoringCase("websocket");
    assertThat(ws.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

    // From here the stream carries the upgraded connection's bytes: WebSocket frames.
    String text = "ping through the agent";
    ws.write(WebSocketFrames.maskedText(text));
    byte[] frame = ws.awaitReceived(2 + text.length());
    assertThat(WebSocketFrames.unmaskedText(frame)).isEqualTo(text);
    ws.reset();
  }

  @Test
  void tcpRelayRunsPostgresQueriesThroughTheAgent() throws Exception {
    double down = counter("gatehouse.agent.relayed.bytes", "direction", "downstream");
    int local = proxy.forward(AGENT, "db/pg");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + local + "/postgres?sslmode=disable",
                "postgres",
                "postgres");
        Statement s = c.createStatement()) {
      s.execute("create table visits (id serial primary key, who text not null)");
      s.execute("insert into visits (who) values ('alice'), ('bob')");
      try (ResultSet rs =
          s.executeQuery("select string_agg(who, ',' order by id), count(*) from visits")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("alice,bob");
        assertThat(rs.getInt(2)).isEqualTo(2);
      }
      // About 5 MB back through the tunnel: more than a stream's window, so flow control works.
      try (ResultSet rs =
          s.executeQuery("select repeat('x', 1000) from generate_series(1, 5000)")) {
        int rows = 0;
        while (rs.next()) {
          assertThat(rs.getString(1)).hasSize(1000);
          rows++;
        }
        assertThat(rows).isEqualTo(5000);
      }
    }
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "downstream") - down)
        .isGreaterThan(5_000_000);
  }

  @Test
  void tcpSessionHoldsTheSenderBackWhileTheProxyDoesNotReadAndLosesNothing() throws Exception {
    Session tcp = proxy.openTcp(AGENT, "app/echo");
    assertThat(tcp.status()).as("answered once the upstream is dialed").isEqualTo(200);
    assertThat(tcp.header(Wire.AGENT)).isEqualTo(AGENT);

    tcp.pause();
    byte[] data = new byte[32 * 1024 * 1024];
    new Random(7).nextBytes(data);
    long echoedBefore = echoed.get();
    var sent = tcp.writeAll(data);

    // Nobody reads the echo, so the agent stops reading the upstream, the echo cannot write and
    // stops reading the agent, the agent stops reading the stream, and the writer is held back with
    // most of the data unsent. A relay that buffered without bound would never hold the echo back
    // and would let the whole payload through.
    Eventually.within(WAIT)
        .until(
            () ->
                echoHeldBack.get()
                    && tcp.isHeldBack()
                    && echoed.get() - echoedBefore > 1024 * 1024);
    assertThat(tcp.written()).isLessThan(data.length);
    assertThat(sent).isNotDone();

    tcp.resume();
    sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    byte[] back = tcp.awaitReceived(data.length);
    assertThat(back).hasSize(data.length);
    assertThat(Arrays.mismatch(back, data)).as("first differing byte").isEqualTo(-1);

    tcp.end();
    tcp.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void tcpSessionFailuresAreAnsweredBeforeAnyByteIsRelayed() {
    double before = dialFailures("db");
    Session refused =
        proxy.send(AGENT, HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders("db/deaddb"));
    assertThat(refused.status()).isEqualTo(502);
    assertThat(refused.header(Wire.ERROR)).isEqualTo("upstream-refused");
    assertThat(refused.body())
        .startsWith(
            "agent agent-relay: db/deaddb: upstream tcp://127.0.0.1:"
                + closedPort
                + " refused the connection");
    assertThat(dialFailures("db")).isEqualTo(before + 1);

    Session notServed =
        proxy.send(AGENT, HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders("db/other"));
    assertThat(notServed.status()).isEqualTo(421);
    assertThat(notServed.header(Wire.ERROR)).isEqualTo("not-serving");

    Session httpResource =
        proxy.send(AGENT, HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders("app/web"));
    assertThat(httpResource.status()).isEqualTo(400);
    assertThat(httpResource.header(Wire.ERROR)).isEqualTo("bad-request");
    assertThat(httpResource.body())
        .contains("an HTTP resource: send its requests, not a TCP session");

    Session notPost = proxy.send(AGENT, HttpMethod.GET, Wire.TUNNEL_PATH, sessionHeaders("db/pg"));
    assertThat(notPost.status()).isEqualTo(400);
    assertThat(notPost.body()).contains("a TCP session is POST /.gatehouse/tunnel");
  }
}
