package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Zone-aware and load-aware routing against a real broker, real agents and real upstreams: two
 * proxies in two zones, each routing by its own {@code proxy.routing} policies, and agents that
 * name their zone in {@code agent.zone}. The agents' checks are off, so every target is unknown and
 * all agents are in one tier: what decides is the policy alone.
 */
class RoutingPolicyIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HostPort proxyEu;
  private static HostPort proxyUs;

  @BeforeAll
  static void start() {
    String routing =
        "kind_policy: { app: same-zone-first }, resource_policy: { db/ls: least-sessions }";
    proxyEu = cluster.proxy("proxy-eu", "zone: eu-1", routing).webAddress();
    proxyUs = cluster.proxy("proxy-us", "zone: us-1", routing).webAddress();
  }

  private static String app(String name, int port) {
    return """
        app_service:
          health_check: { enabled: false }
          apps:
            - { name: %s, uri: "http://127.0.0.1:%d" }
        """
        .formatted(name, port);
  }

  /** The zone proxy {@code proxy} lists for agent {@code agent} of {@code kind/name}. */
  private static String zoneOf(HostPort proxy, String kind, String name, String agent) {
    Web.Response r = web.get(proxy, "/v1/resources/" + kind + "/" + name);
    return r.status() != 200
        ? "status " + r.status()
        : r.json().getJsonArray("agents").stream()
            .map(JsonObject.class::cast)
            .filter(a -> a.getString("agent").equals(agent))
            .map(a -> a.getString("zone", "none"))
            .findFirst()
            .orElse("absent");
  }

  /** Agent id → how many of {@code n} new sessions to {@code app} through {@code proxy} it took. */
  private static Map<String, Integer> newSessions(HostPort proxy, String app, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Web.Response r = web.app(proxy, app, "/" + i, null);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      counts.merge(r.agent(), 1, Integer::sum);
    }
    return counts;
  }

  /** The {@code session.start} events of {@code kind/name} written by {@code proxyId}. */
  private static List<AuditEvent> starts(String resource, String proxyId) {
    return cluster.audit("session.start", resource).stream()
        .filter(e -> proxyId.equals(e.getProxyId()))
        .toList();
  }

  @Test
  void sameZoneFirstPicksTheLocalZonesAgentsOnlyAndFallsBackWhenTheyAreGone() {
    HttpServer upstream = web.upstream(req -> req.response().end("shop"));
    Agent eu1 = cluster.zonedAgent("shop-eu-1", "eu-1", app("shop", upstream.actualPort()));
    Agent eu2 = cluster.zonedAgent("shop-eu-2", "eu-1", app("shop", upstream.actualPort()));
    cluster.zonedAgent("shop-us", "us-1", app("shop", upstream.actualPort()));
    cluster.awaitHealthy(proxyEu, "app", "shop", 3);
    cluster.awaitHealthy(proxyUs, "app", "shop", 3);
    for (HostPort proxy : List.of(proxyEu, proxyUs)) {
      Eventually.within(WAIT).until(() -> zoneOf(proxy, "app", "shop", "shop-us").equals("us-1"));
      Eventually.within(WAIT).until(() -> zoneOf(proxy, "app", "shop", "shop-eu-2").equals("eu-1"));
      // The agent list (gatehouse agents ls) shows each agent's zone too.
      Map<String, String> listed = new HashMap<>();
      web.get(proxy, "/v1/agents").array().stream()
          .map(o -> (JsonObject) o)
          .filter(o -> o.getString("agent").startsWith("shop-"))
          .forEach(o -> listed.put(o.getString("agent"), o.getString("zone")));
      assertThat(listed)
          .containsEntry("shop-eu-1", "eu-1")
          .containsEntry("shop-eu-2", "eu-1")
          .containsEntry("shop-us", "us-1");
    }

    assertThat(newSessions(proxyEu, "shop", 100))
        .as("through the eu-1 proxy: the eu-1 agents only, both of them")
        .containsOnlyKeys("shop-eu-1", "shop-eu-2")
        .allSatisfy((agent, n) -> assertThat(n).isGreaterThan(20));
    assertThat(newSessions(proxyUs, "shop", 50))
        .as("through the us-1 proxy: the us-1 agent only")
        .containsOnlyKeys("shop-us");

    Web.Response pinned = web.app(proxyEu, "shop", "/cart", null);
    assertThat(pinned.agent()).startsWith("shop-eu-");

    // The eu-1 agents go: the eu-1 proxy falls back to any healthy agent.
    eu1.kill();
    eu2.kill();
    cluster.awaitHealthy(proxyEu, "app", "shop", 1);
    assertThat(newSessions(proxyEu, "shop", 20)).containsOnlyKeys("shop-us");
    // The pinned session moves on its next request, by the same policy.
    assertThat(web.app(proxyEu, "shop", "/cart", pinned.sessionCookie()).agent())
        .isEqualTo("shop-us");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        cluster.audit("session.repin", cluster.sessionKey(pinned.sessionCookie())))
                    .singleElement()
                    .satisfies(
                        e ->
                            assertThat(e.getDetails())
                                .containsEntry("from", pinned.agent())
                                .containsEntry("policy", "same-zone-first")
                                .containsEntry("pick", "fallback: no healthy agent in zone eu-1")));

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Map<String, Long> reasons =
                  starts("app/shop", "proxy-eu").stream()
                      .peek(
                          e ->
                              assertThat(e.getDetails()).containsEntry("policy", "same-zone-first"))
                      .collect(
                          Collectors.groupingBy(
                              e -> e.getDetails().get("reason"), Collectors.counting()));
              assertThat(reasons)
                  .containsEntry("same-zone eu-1", 101L)
                  .containsEntry("fallback: no healthy agent in zone eu-1", 20L);
              assertThat(starts("app/shop", "proxy-us"))
                  .hasSize(50)
                  .allSatisfy(
                      e -> assertThat(e.getDetails()).containsEntry("reason", "same-zone us-1"));
            });
  }

  /** A TCP upstream that greets every connection with its name and keeps it open. */
  private static NetServer greeter(String name) {
    return Web.await(
        web.vertx()
            .createNetServer()
            .connectHandler(s -> s.write(Buffer.buffer(name + "\n")))
            .listen(0, "127.0.0.1"));
  }

  /** Opens a TCP session to {@code db/name} and reads who served it; the session stays open. */
  private static Socket open(HostPort proxy, String name, Map<String, Integer> served)
      throws IOException {
    Socket socket =
        TunnelClient.open(proxy, web.tls(), ResourceKind.DB, name, web.bearer(), Web.TIMEOUT);
    socket.setSoTimeout(5000);
    InputStream in = socket.getInputStream();
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    served.merge(b.toString(), 1, Integer::sum);
    return socket;
  }

  private static Agent lsAgent(String agent, List<NetServer> upstreams) {
    NetServer upstream = greeter(agent);
    upstreams.add(upstream);
    return cluster.agent(
        agent,
        """
        db_service:
          health_check: { enabled: false }
          databases:
            - { name: ls, protocol: postgres, uri: "127.0.0.1:%d" }
        """
            .formatted(upstream.actualPort()));
  }

  @Test
  void leastSessionsSpreads300LongSessionsWithinTenPercentOverThreeAgents() throws Exception {
    List<NetServer> upstreams = new ArrayList<>();
    lsAgent("ls-1", upstreams);
    lsAgent("ls-2", upstreams);
    cluster.awaitHealthy(proxyEu, "db", "ls", 2);
    cluster.awaitHealthy(proxyUs, "db", "ls", 2);

    Map<String, Integer> served = new HashMap<>();
    List<Socket> sessions = new ArrayList<>();
    try {
      // Through both proxies in turn: each counts every proxy's pins, its own at once.
      for (int i = 0; i < 100; i++) {
        sessions.add(open(i % 2 == 0 ? proxyEu : proxyUs, "ls", served));
      }
      // A third agent joins while 100 sessions stay open on the first two: least-sessions fills it
      // up (a random pick would leave it about 50 behind).
      lsAgent("ls-3", upstreams);
      cluster.awaitHealthy(proxyEu, "db", "ls", 3);
      cluster.awaitHealthy(proxyUs, "db", "ls", 3);
      for (int i = 0; i < 200; i++) {
        sessions.add(open(i % 2 == 0 ? proxyEu : proxyUs, "ls", served));
      }
      assertThat(served)
          .as("300 open sessions, 100 ± 10 %% on each agent: %s", served)
          .containsOnlyKeys("ls-1", "ls-2", "ls-3")
          .allSatisfy((agent, n) -> assertThat(n).isBetween(90, 110));
    } finally {
      for (Socket s : sessions) {
        s.close();
      }
    }
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit("session.start", "db/ls"))
                    .hasSize(300)
                    .allSatisfy(
                        e -> {
                          assertThat(e.getDetails()).containsEntry("policy", "least-sessions");
                          assertThat(e.getDetails().get("reason"))
                              .matches("least-sessions \\d+ vs \\d+");
                        }));
    for (NetServer upstream : upstreams) {
      Web.await(upstream.close());
    }
  }
}
