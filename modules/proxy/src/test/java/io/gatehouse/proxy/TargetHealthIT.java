package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.relay.client.TunnelRefusedException;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routing by target health against real agents, real upstreams and two proxies: each agent checks
 * its upstream ({@code health_check} every 500 ms here) and says what it found up its tunnels, and
 * every proxy sends new sessions to agents whose upstream is healthy, unhealthy ones only when
 * nothing else is left, and then says the target is down.
 */
class TargetHealthIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  /** Fast checks, so the test waits little; the defaults are 5 s, 2 s, 2 and 1. */
  private static final String CHECKS =
      "health_check: { interval: 500ms, timeout: 400ms, healthy_threshold: 2 }";

  private static final Duration INTERVAL = Duration.ofMillis(500);

  private static HostPort proxyA;
  private static HostPort proxyB;

  @BeforeAll
  static void start() {
    proxyA = cluster.proxy("proxy-a").webAddress();
    proxyB = cluster.proxy("proxy-b").webAddress();
  }

  /** A TCP upstream that greets every connection with its name: who served a session. */
  private static NetServer greeter(String name, int port) {
    return Web.await(
        web.vertx()
            .createNetServer()
            .connectHandler(s -> s.write(Buffer.buffer(name + "\n")))
            .listen(port, "127.0.0.1"));
  }

  private static String db(String name, int port) {
    return """
        db_service:
          %s
          databases:
            - { name: %s, protocol: postgres, uri: "127.0.0.1:%d" }
        """
        .formatted(CHECKS, name, port);
  }

  /** What proxy {@code proxy} says agent {@code agent}'s checks of {@code kind/name} found. */
  private static String target(HostPort proxy, String kind, String name, String agent) {
    Web.Response r = web.get(proxy, "/v1/resources/" + kind + "/" + name);
    if (r.status() != 200) {
      return "status " + r.status();
    }
    return r.json().getJsonArray("agents").stream()
        .map(JsonObject.class::cast)
        .filter(a -> a.getString("agent").equals(agent))
        .map(a -> a.getJsonObject("target").getString("state"))
        .findFirst()
        .orElse("absent");
  }

  private static void awaitTarget(String kind, String name, String agent, String state) {
    for (HostPort proxy : List.of(proxyA, proxyB)) {
      Eventually.within(WAIT).until(() -> target(proxy, kind, name, agent).equals(state));
    }
  }

  /** Opens a TCP session to {@code db/name} through {@code proxy}; the upstream's greeting. */
  private static String greeting(HostPort proxy, String name) throws IOException {
    try (Socket socket =
        TunnelClient.open(
            proxy, web.tls(), ResourceKind.DB, name, web.bearer(), Duration.ofSeconds(5))) {
      socket.setSoTimeout(5000);
      InputStream in = socket.getInputStream();
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
        b.append((char) c);
      }
      return b.toString();
    }
  }

  @Test
  void anAgentThatCannotReachTheDatabaseGetsNoNewSessionUntilItCanAgain() throws Exception {
    NetServer near = greeter("near", 0);
    NetServer far = greeter("far", 0);
    int farPort = far.actualPort();
    cluster.agent("pg-near", db("pg", near.actualPort()));
    cluster.agent("pg-far", db("pg", farPort));
    cluster.awaitHealthy(proxyA, "db", "pg", 2);
    cluster.awaitHealthy(proxyB, "db", "pg", 2);
    awaitTarget("db", "pg", "pg-near", "healthy");
    awaitTarget("db", "pg", "pg-far", "healthy");

    // The database behind pg-far goes away: every proxy hears it within an interval and a second.
    Web.await(far.close());
    long down = System.nanoTime();
    Map<HostPort, Duration> outOfRotation = new HashMap<>();
    for (HostPort proxy : List.of(proxyA, proxyB)) {
      Eventually.within(WAIT).until(() -> target(proxy, "db", "pg", "pg-far").equals("unhealthy"));
      outOfRotation.put(proxy, Duration.ofNanos(System.nanoTime() - down));
    }
    assertThat(outOfRotation.values())
        .as("out of rotation on every proxy within interval + timeout + 1 s: %s", outOfRotation)
        .allSatisfy(d -> assertThat(d).isLessThan(INTERVAL.plusMillis(400).plusSeconds(1)));

    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      served.merge(greeting(i % 2 == 0 ? proxyA : proxyB, "pg"), 1, Integer::sum);
    }
    assertThat(served)
        .as("0 of 200 new sessions on the agent whose target is down")
        .containsOnlyKeys("near")
        .containsEntry("near", 200);

    // The database comes back on its port: pg-far is healthy again, and back in rotation.
    NetServer back = greeter("far", farPort);
    awaitTarget("db", "pg", "pg-far", "healthy");
    Eventually.within(WAIT)
        .untilAsserted(() -> assertThat(greeting(proxyA, "pg")).isEqualTo("far"));
    Web.await(back.close());
    Web.await(near.close());
  }

  @Test
  void anHttpAppWhoseHealthPathAnswers500OnOneAgentsSideIsAvoided() {
    AtomicInteger sickStatus = new AtomicInteger(200);
    HttpServer sick =
        web.upstream(
            req ->
                req.response()
                    .setStatusCode(req.path().equals("/healthz") ? sickStatus.get() : 200)
                    .end("sick side " + req.path()));
    HttpServer well = web.upstream(req -> req.response().end("well side " + req.path()));
    String app =
        """
        app_service:
          %s
          apps:
            - name: shop
              uri: "http://127.0.0.1:%d"
              health_check: { path: /healthz, expected_status: 200 }
        """;
    cluster.agent("shop-sick", app.formatted(CHECKS, sick.actualPort()));
    cluster.agent("shop-well", app.formatted(CHECKS, well.actualPort()));
    cluster.awaitHealthy(proxyA, "app", "shop", 2);
    awaitTarget("app", "shop", "shop-sick", "healthy");
    awaitTarget("app", "shop", "shop-well", "healthy");
    // A session pinned to the agent whose upstream is about to fail its health path.
    String pinned = null;
    for (int i = 0; i < 100 && pinned == null; i++) {
      Web.Response r = web.app(proxyA, "shop", "/cart", null);
      assertThat(r.status()).isEqualTo(200);
      pinned = r.agent().equals("shop-sick") ? r.sessionCookie() : null;
    }
    assertThat(pinned).as("a session on shop-sick among 100 random picks").isNotNull();

    sickStatus.set(500);
    awaitTarget("app", "shop", "shop-sick", "unhealthy");

    for (int i = 0; i < 50; i++) {
      Web.Response r = web.app(i % 2 == 0 ? proxyA : proxyB, "shop", "/page", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.agent()).isEqualTo("shop-well");
      assertThat(r.body()).isEqualTo("well side /page");
    }
    // The pinned session moves on its next request, to the agent whose upstream is healthy.
    Web.Response moved = web.app(proxyA, "shop", "/cart", pinned);
    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.agent()).isEqualTo("shop-well");
    Web.Response r = web.get(proxyA, "/v1/resources/app/shop");
    assertThat(r.json().getJsonObject("targets").getMap())
        .containsEntry("healthy", 1)
        .containsEntry("unhealthy", 1)
        .containsEntry("unknown", 0);
    assertThat(
            r.json().getJsonArray("agents").stream()
                .map(JsonObject.class::cast)
                .filter(a -> a.getString("agent").equals("shop-sick"))
                .findFirst()
                .orElseThrow()
                .getJsonObject("target")
                .getString("reason"))
        .contains("HTTP 500, expected 200");
  }

  @Test
  void whenEveryTargetIsDownTheUserGetsA503NamingTheResource() throws Exception {
    NetServer gone = greeter("gone", 0);
    int port = gone.actualPort();
    Web.await(gone.close());
    cluster.agent("gone-1", db("gone", port));
    cluster.agent("gone-2", db("gone", port));
    cluster.awaitHealthy(proxyA, "db", "gone", 2);
    awaitTarget("db", "gone", "gone-1", "unhealthy");
    awaitTarget("db", "gone", "gone-2", "unhealthy");

    assertThatThrownBy(
            () ->
                TunnelClient.open(
                    proxyA, web.tls(), ResourceKind.DB, "gone", web.bearer(), Web.TIMEOUT))
        .isInstanceOfSatisfying(
            TunnelRefusedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).isEqualTo("target-down");
              assertThat(e.getMessage())
                  .contains("the target of db/gone is down")
                  .contains("gone-1")
                  .contains("gone-2");
            });
  }
}
