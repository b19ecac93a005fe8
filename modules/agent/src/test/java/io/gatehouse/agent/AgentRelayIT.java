package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.HostPort;
import io.gatehouse.testkit.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay against real upstreams over real sockets: a Vert.x HTTP server (status, headers,
 * streaming bodies, WebSocket) and an embedded PostgreSQL reached through a tunnel, as a proxy
 * would use them.
 */
class AgentRelayIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final String SESSION = "0123456789abcdef0123456789abcdef";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Vertx vertx;
  private static HttpServer upstream;
  private static final AtomicInteger upstreamConnections = new AtomicInteger();
  private static final AtomicReference<MultiMap> lastUpstreamHeaders = new AtomicReference<>();
  private static final AtomicReference<String> lastUpstreamUri = new AtomicReference<>();
  private static final AtomicReference<Promise<Void>> release = new AtomicReference<>();
  private static EmbeddedPostgres postgres;
  private static int closedPort;
  private static SimpleMeterRegistry registry;
  private static Agent agent;
  private static java.net.http.HttpClient http;
  private static HttpClient vertxClient;

  @BeforeAll
  static void startUpstreamsAndAgent() throws Exception {
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
                                            .setStatusMessage("Made It")
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
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    postgres = EmbeddedPostgres.builder().start();

    String yaml =
        """
        agent:
          id: agent-relay
          kafka: { bootstrap: "%s" }
          listen: "127.0.0.1:0"
          topic_prefix: %s
          relay: { connect_timeout: 2s, response_timeout: 1s, pool_size: 4 }
        app_service:
          apps:
            - { name: web, uri: "http://127.0.0.1:%d/base" }
            - { name: dead, uri: "http://127.0.0.1:%d" }
        db_service:
          databases:
            - { name: pg, protocol: postgres, uri: "127.0.0.1:%d" }
            - { name: deaddb, protocol: postgres, uri: "tcp://127.0.0.1:%d" }
        """
            .formatted(
                kafka.bootstrapServers(),
                kafka.uniquePrefix("relay").replaceAll("\\.$", ""),
                upstream.actualPort(),
                closedPort,
                postgres.getPort(),
                closedPort);
    registry = new SimpleMeterRegistry();
    agent = Agent.builder(AgentConfig.parse(yaml, "relay.yaml")).meterRegistry(registry).start();
    http =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    vertxClient = vertx.createHttpClient();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static HttpRequest.Builder request(String resource, String path) {
    return HttpRequest.newBuilder(URI.create("http://" + agent.listenAddress() + path))
        .header("Gatehouse-Resource", resource)
        .header("Gatehouse-Session", SESSION)
        .header("Gatehouse-Proxy", "proxy-1")
        .header("Gatehouse-User", "alice")
        .timeout(WAIT);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  @Test
  void httpRelayPassesStatusHeadersAndBodyAndAddsVia() throws Exception {
    HttpResponse<String> response =
        send(
            request("app/web", "/echo?q=1")
                .header("X-Custom", "kept")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("uri=/base/echo?q=1 body=5");
    assertThat(response.headers().firstValue("X-Upstream")).contains("echo");
    assertThat(response.headers().firstValue("Set-Cookie")).contains("a=1");
    assertThat(response.headers().allValues("Via")).contains("1.1 agent-relay");
    assertThat(response.headers().firstValue("Gatehouse-Agent")).contains("agent-relay");
    assertThat(response.headers().firstValue("Gatehouse-Error"))
        .as("upstreams cannot speak the protocol")
        .isEmpty();
    assertThat(response.headers().firstValue("Keep-Alive")).as("hop-by-hop").isEmpty();

    MultiMap seen = lastUpstreamHeaders.get();
    assertThat(lastUpstreamUri.get()).isEqualTo("/base/echo?q=1");
    assertThat(seen.getAll("Via")).contains("1.1 agent-relay");
    assertThat(seen.get("X-Custom")).isEqualTo("kept");
    assertThat(seen.get("X-Forwarded-Host")).isEqualTo(agent.listenAddress().toString());
    assertThat(seen.get("Host")).isEqualTo("127.0.0.1:" + upstream.actualPort());
    assertThat(seen.names()).noneMatch(name -> name.toLowerCase().startsWith("gatehouse-"));
  }

  @Test
  void httpRelayStreamsTheResponseBodyBeforeItEnds() throws Exception {
    HttpResponse<InputStream> response =
        http.sendAsync(
                request("app/web", "/stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().allValues("Via")).contains("1.1 agent-relay");
    BufferedReader body =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));

    // The upstream holds the rest of the body until the first line has reached the client: a
    // relay that buffered whole bodies would never deliver it.
    assertThat(
            CompletableFuture.supplyAsync(() -> readLine(body))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("first");
    release.get().complete();
    assertThat(
            CompletableFuture.supplyAsync(() -> readLine(body))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("second");
    assertThat(readLine(body)).isNull();
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void httpRelayStreamsALargeBodyBothWays() throws Exception {
    double up = counter("gatehouse.agent.relayed.bytes", "direction", "upstream");
    double down = counter("gatehouse.agent.relayed.bytes", "direction", "downstream");
    byte[] payload = new byte[8 * 1024 * 1024];
    new java.util.Random(3).nextBytes(payload);

    HttpResponse<byte[]> response =
        http.send(
            request("app/web", "/upload")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(payload);
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "upstream") - up)
        .isGreaterThanOrEqualTo(payload.length);
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "downstream") - down)
        .isGreaterThanOrEqualTo(payload.length);
  }

  @Test
  void upstreamConnectionsAreKeptAliveAndPooled() throws Exception {
    send(request("app/web", "/echo").GET());
    int before = upstreamConnections.get();
    for (int i = 0; i < 20; i++) {
      assertThat(send(request("app/web", "/echo?i=" + i).GET()).statusCode()).isEqualTo(201);
    }
    assertThat(upstreamConnections.get() - before)
        .as("new upstream connections for 20 requests")
        .isLessThanOrEqualTo(2);
  }

  @Test
  void sessionIdsHaveTheOneFormatProxiesGenerate() throws Exception {
    HttpResponse<String> upperCase =
        send(
            request("app/web", "/")
                .setHeader("Gatehouse-Session", SESSION.toUpperCase(java.util.Locale.ROOT))
                .GET());
    assertThat(upperCase.statusCode()).isEqualTo(400);
    assertThat(upperCase.headers().firstValue("Gatehouse-Error")).contains("bad-request");
    assertThat(upperCase.body()).contains("malformed header Gatehouse-Session");

    assertThat(send(request("app/web", "/").GET()).statusCode()).isNotEqualTo(400);
  }

  @Test
  void failuresAreDistinctAndNameTheAgentAndTheResource() throws Exception {
    HttpResponse<String> notServed = send(request("app/nope", "/").GET());
    assertThat(notServed.statusCode()).isEqualTo(421);
    assertThat(notServed.headers().firstValue("Gatehouse-Error")).contains("not-serving");
    assertThat(notServed.body())
        .isEqualTo("agent agent-relay: app/nope: not served by this agent\n");

    HttpResponse<String> noSession =
        send(
            HttpRequest.newBuilder(URI.create("http://" + agent.listenAddress() + "/"))
                .header("Gatehouse-Resource", "app/web")
                .header("Gatehouse-Proxy", "p"));
    assertThat(noSession.statusCode()).isEqualTo(400);
    assertThat(noSession.headers().firstValue("Gatehouse-Error")).contains("bad-request");
    assertThat(noSession.body())
        .contains("agent agent-relay", "app/web", "missing header Gatehouse-Session");

    HttpResponse<String> malformed = send(request("application/web", "/").GET());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("malformed header Gatehouse-Resource 'application/web'");

    double refusedBefore =
        registry
            .get("gatehouse.agent.upstream.dial.failures")
            .tag("kind", "app")
            .tag("reason", "refused")
            .counter()
            .count();
    HttpResponse<String> refused = send(request("app/dead", "/").GET());
    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.headers().firstValue("Gatehouse-Error")).contains("upstream-refused");
    assertThat(refused.body())
        .startsWith(
            "agent agent-relay: app/dead: upstream http://127.0.0.1:"
                + closedPort
                + " refused the connection");
    assertThat(
            registry
                .get("gatehouse.agent.upstream.dial.failures")
                .tag("kind", "app")
                .tag("reason", "refused")
                .counter()
                .count())
        .isEqualTo(refusedBefore + 1);

    HttpResponse<String> slow = send(request("app/web", "/slow").GET());
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(slow.headers().firstValue("Gatehouse-Error")).contains("upstream-timeout");
    assertThat(slow.body())
        .contains("agent agent-relay: app/web: upstream", "sent no response within 1000 ms");

    HttpResponse<String> httpToTcp = send(request("db/pg", "/").GET());
    assertThat(httpToTcp.statusCode()).isEqualTo(400);
    assertThat(httpToTcp.body()).contains("a TCP resource: open a tunnel");
  }

  @Test
  void healthAnswersWithTheAgentAndItsResourceCount() throws Exception {
    HttpResponse<String> health =
        send(
            HttpRequest.newBuilder(
                URI.create("http://" + agent.listenAddress() + "/.gatehouse/health")));
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"agent\":\"agent-relay\"", "\"resources\":4");
  }

  @Test
  void webSocketUpgradesAreRelayedAsAStream() throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocketConnectOptions options = new WebSocketConnectOptions();
      options
          .setHost(agent.listenAddress().host())
          .setPort(agent.listenAddress().port())
          .setURI("/ws");
      options
          .addHeader("Gatehouse-Resource", "app/web")
          .addHeader("Gatehouse-Session", SESSION)
          .addHeader("Gatehouse-Proxy", "proxy-1");
      WebSocket ws = await(client.connect(options));
      Promise<String> echoed = Promise.promise();
      ws.textMessageHandler(echoed::tryComplete);
      ws.writeTextMessage("ping through the agent");
      assertThat(await(echoed.future())).isEqualTo("ping through the agent");
      await(ws.close());
    } finally {
      await(client.close());
    }
  }

  /** Opens a tunnel through the agent, as a proxy does for TCP resources. */
  private static Future<HttpClientResponse> tunnel(String resource) {
    return vertxClient
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(agent.listenAddress().host())
                .setPort(agent.listenAddress().port())
                .setURI("/.gatehouse/tunnel"))
        .compose(
            req ->
                req.exceptionHandler(
                        e -> {
                          /* surfaces through the response future */
                        })
                    .putHeader("Connection", "Upgrade")
                    .putHeader("Upgrade", "gatehouse-tunnel/1")
                    .putHeader("Gatehouse-Resource", resource)
                    .putHeader("Gatehouse-Session", SESSION)
                    .putHeader("Gatehouse-Proxy", "proxy-1")
                    .connect());
  }

  /**
   * A local port whose every connection is tunnelled to {@code resource}: what {@code gatehouse
   * tunnel} does.
   */
  private static NetServer localTunnel(String resource) throws Exception {
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                local -> {
                  local.pause();
                  tunnel(resource)
                      .onComplete(
                          ar -> {
                            if (ar.failed() || ar.result().statusCode() != 101) {
                              local.close();
                              return;
                            }
                            NetSocket remote = ar.result().netSocket();
                            remote.pipeTo(local);
                            local.pipeTo(remote);
                          });
                });
    return await(server.listen(0, "127.0.0.1"));
  }

  @Test
  void tcpRelayRunsPostgresQueriesThroughTheAgent() throws Exception {
    double down = counter("gatehouse.agent.relayed.bytes", "direction", "downstream");
    NetServer local = localTunnel("db/pg");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + local.actualPort() + "/postgres?sslmode=disable",
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
      // About 5 MB back through the tunnel: exercises back-pressure on the way down.
      try (ResultSet rs =
          s.executeQuery("select repeat('x', 1000) from generate_series(1, 5000)")) {
        int rows = 0;
        while (rs.next()) {
          assertThat(rs.getString(1)).hasSize(1000);
          rows++;
        }
        assertThat(rows).isEqualTo(5000);
      }
    } finally {
      await(local.close());
    }
    assertThat(counter("gatehouse.agent.relayed.bytes", "direction", "downstream") - down)
        .isGreaterThan(5_000_000);
  }

  /**
   * Status, error code and body of a refused tunnel, read on the event loop as the response
   * arrives.
   */
  private record Refusal(int status, String error, String body) {}

  private static Refusal refusal(String resource) throws Exception {
    return await(
        tunnel(resource)
            .compose(
                r ->
                    r.body()
                        .map(
                            b ->
                                new Refusal(
                                    r.statusCode(),
                                    r.getHeader("Gatehouse-Error"),
                                    b.toString()))));
  }

  @Test
  void tunnelFailuresAreAnsweredBeforeTheUpgrade() throws Exception {
    double before =
        registry
            .get("gatehouse.agent.upstream.dial.failures")
            .tag("kind", "db")
            .tag("reason", "refused")
            .counter()
            .count();
    Refusal refused = refusal("db/deaddb");
    assertThat(refused.status()).isEqualTo(502);
    assertThat(refused.error()).isEqualTo("upstream-refused");
    assertThat(refused.body())
        .startsWith(
            "agent agent-relay: db/deaddb: upstream tcp://127.0.0.1:"
                + closedPort
                + " refused the connection");
    assertThat(
            registry
                .get("gatehouse.agent.upstream.dial.failures")
                .tag("kind", "db")
                .tag("reason", "refused")
                .counter()
                .count())
        .isEqualTo(before + 1);

    Refusal notServed = refusal("db/other");
    assertThat(notServed.status()).isEqualTo(421);
    assertThat(notServed.error()).isEqualTo("not-serving");

    Refusal httpResource = refusal("app/web");
    assertThat(httpResource.status()).isEqualTo(400);
    assertThat(httpResource.error()).isEqualTo("bad-request");
    assertThat(httpResource.body()).contains("an HTTP resource: send its requests, not a tunnel");
  }

  @Test
  void advertisedAddressIsTheBoundListenAddress() {
    assertThat(agent.advertisedAddress()).isEqualTo(agent.listenAddress());
    assertThat(agent.listenAddress())
        .isEqualTo(new HostPort("127.0.0.1", agent.listenAddress().port()));
  }
}
