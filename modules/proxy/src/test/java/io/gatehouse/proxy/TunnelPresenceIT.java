package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence on {@code gatehouse.tunnels}: every proxy records which agents are connected to it, so
 * every proxy's {@code /v1/agents} shows the mesh; a disconnect tombstones the record, a restarted
 * proxy clears what its crash left, records of a dead proxy are not shown, and an agent that says
 * it is draining is out of rotation at once.
 */
class TunnelPresenceIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HostPort a;
  private static HostPort b;
  private static int upstreamPort;

  @BeforeAll
  static void start() {
    HttpServer upstream = web.upstream(req -> req.response().end("ok"));
    upstreamPort = upstream.actualPort();
    a = cluster.proxy("proxy-mesh-a").webAddress();
    b = cluster.proxy("proxy-mesh-b").webAddress();
  }

  private static Optional<JsonObject> listed(HostPort proxy, String agentId) {
    return web.get(proxy, "/v1/agents").array().stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getString("agent").equals(agentId))
        .findFirst();
  }

  private static List<String> proxies(JsonObject agent) {
    return agent.getJsonArray("proxies").stream().map(String::valueOf).toList();
  }

  private static TunnelPresence latest(Map<String, List<byte[]>> records, String key) {
    List<byte[]> values = records.get(key);
    byte[] last = values == null ? null : values.get(values.size() - 1);
    return last == null ? null : EventCodec.TUNNEL_PRESENCE.decode(last);
  }

  private static boolean tombstoned(Map<String, List<byte[]>> records, String key) {
    List<byte[]> values = records.get(key);
    return values != null && values.get(values.size() - 1) == null;
  }

  @Test
  void aConnectedAgentIsOnTheTunnelsTopicAndListedByEveryProxyWithBothProxyIds() {
    cluster.app("mesh-agent", "meshed", upstreamPort);
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              Map<String, List<byte[]>> records = cluster.records(Topic.TUNNELS);
              for (String proxy : List.of("proxy-mesh-a", "proxy-mesh-b")) {
                TunnelPresence p = latest(records, Keys.tunnel("mesh-agent", proxy));
                assertThat(p).as("presence on %s", proxy).isNotNull();
                assertThat(p.getState()).isEqualTo("serving");
                assertThat(p.getRemote()).startsWith("127.0.0.1:");
                assertThat(p.getKinds()).contains("app", "db");
              }
            });
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              JsonObject agent = listed(b, "mesh-agent").orElseThrow();
              assertThat(proxies(agent)).contains("proxy-mesh-a", "proxy-mesh-b");
              assertThat(agent.getBoolean("connectedHere")).isTrue();
              assertThat(agent.getString("state")).isEqualTo("serving");
              assertThat(agent.getString("status")).isEqualTo("healthy");
              assertThat(agent.getString("address")).startsWith("127.0.0.1:");
              assertThat(Instant.parse(agent.getString("since"))).isBefore(Instant.now());
            });
  }

  @Test
  void aDisconnectTombstonesThePresenceOnEveryProxyAndTheListingShowsItConnectedNowhere() {
    Agent agent = cluster.app("leaving-agent", "left", upstreamPort);
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () ->
                assertThat(proxies(listed(a, "leaving-agent").orElseThrow()))
                    .contains("proxy-mesh-a", "proxy-mesh-b"));
    agent.kill();
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              Map<String, List<byte[]>> records = cluster.records(Topic.TUNNELS);
              assertThat(tombstoned(records, Keys.tunnel("leaving-agent", "proxy-mesh-a")))
                  .isTrue();
              assertThat(tombstoned(records, Keys.tunnel("leaving-agent", "proxy-mesh-b")))
                  .isTrue();
            });
    for (HostPort proxy : List.of(a, b)) {
      Eventually.within(Cluster.WAIT)
          .untilAsserted(
              () -> {
                // Its heartbeats are current still, so it may be listed: connected nowhere.
                Optional<JsonObject> left = listed(proxy, "leaving-agent");
                left.ifPresent(
                    o -> {
                      assertThat(o.getJsonArray("proxies")).isEmpty();
                      assertThat(o.getBoolean("connectedHere")).isFalse();
                      assertThat(o.getString("state")).isEqualTo("disconnected");
                      assertThat(o.getString("status")).isEqualTo("not connected to this proxy");
                    });
              });
    }
  }

  @Test
  void aRestartedProxyRemovesThePresenceItsCrashLeftAndKeepsThatOfAgentsConnectedAgain()
      throws Exception {
    Agent agent = cluster.app("staying-agent", "stays", upstreamPort);
    // What a crash of proxy-mesh-c leaves: a record of an agent that was connected to it.
    String ghost = Keys.tunnel("ghost-agent", "proxy-mesh-c");
    cluster.write(
        Topic.TUNNELS,
        ghost,
        EventCodec.TUNNEL_PRESENCE.encode(
            TunnelPresence.newBuilder()
                .setAgentId("ghost-agent")
                .setProxyId("proxy-mesh-c")
                .setSince(Instant.now().minusSeconds(60))
                .setRemote("127.0.0.1:9")
                .setKinds(List.of("app"))
                .build()));

    HostPort c = cluster.proxy("proxy-mesh-c").webAddress();
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> assertThat(tombstoned(cluster.records(Topic.TUNNELS), ghost)).isTrue());
    // The agent learns of the new proxy and connects: its record there stays.
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              assertThat(agent.connectedProxies()).hasSizeGreaterThanOrEqualTo(3);
              assertThat(listed(c, "staying-agent").orElseThrow().getJsonArray("proxies"))
                  .contains("proxy-mesh-c");
            });
    TunnelPresence kept =
        latest(cluster.records(Topic.TUNNELS), Keys.tunnel("staying-agent", "proxy-mesh-c"));
    assertThat(kept).isNotNull();
    assertThat(listed(c, "ghost-agent")).isEmpty();
  }

  @Test
  void recordsOfAProxyWhoseAnnouncementExpiredAreNotShownAsConnected() throws Exception {
    cluster.app("mourning-agent", "mourned", upstreamPort);
    Instant since = Instant.now().minus(Duration.ofMinutes(10));
    // proxy-mesh-down is running (its announcement is current) with two agents connected.
    announce("proxy-mesh-down", Instant.now());
    for (String agentId : List.of("mourning-agent", "orphan-agent")) {
      cluster.write(
          Topic.TUNNELS,
          Keys.tunnel(agentId, "proxy-mesh-down"),
          EventCodec.TUNNEL_PRESENCE.encode(
              TunnelPresence.newBuilder()
                  .setAgentId(agentId)
                  .setProxyId("proxy-mesh-down")
                  .setSince(since)
                  .setRemote("127.0.0.1:9")
                  .setKinds(List.of("app"))
                  .build()));
    }
    Eventually.within(Cluster.WAIT)
        .untilAsserted(
            () -> {
              assertThat(proxies(listed(a, "orphan-agent").orElseThrow()))
                  .containsExactly("proxy-mesh-down");
              assertThat(proxies(listed(a, "mourning-agent").orElseThrow()))
                  .contains("proxy-mesh-a", "proxy-mesh-b", "proxy-mesh-down");
            });

    // It crashes: its last announcement (TTL 90 s) is older than its TTL, its records stay.
    announce("proxy-mesh-down", Instant.now().minus(Duration.ofMinutes(5)));
    for (HostPort proxy : List.of(a, b)) {
      Eventually.within(Cluster.WAIT)
          .untilAsserted(
              () -> {
                assertThat(listed(proxy, "orphan-agent")).isEmpty();
                assertThat(proxies(listed(proxy, "mourning-agent").orElseThrow()))
                    .contains("proxy-mesh-a", "proxy-mesh-b")
                    .doesNotContain("proxy-mesh-down");
              });
    }
    assertThat(
            latest(cluster.records(Topic.TUNNELS), Keys.tunnel("orphan-agent", "proxy-mesh-down")))
        .as("the record itself stays until its proxy restarts")
        .isNotNull();
  }

  private static void announce(String proxyId, Instant time) throws Exception {
    cluster.write(
        Topic.PROXIES,
        proxyId,
        EventCodec.PROXY_ANNOUNCEMENT.encode(
            ProxyAnnouncement.newBuilder()
                .setProxyId(proxyId)
                // Nothing listens there: agents told of it fail to dial and try again later.
                .setAddress("127.0.0.1:9")
                .setStartedAt(time)
                .setTime(time)
                .build()));
  }

  @Test
  void anAgentThatSaysItIsDrainingIsOutOfRotationOnThatProxyAtOnce() throws Exception {
    try (BareAgent agent = new BareAgent(cluster.ca(), "draining-agent", a)) {
      cluster.heartbeat("draining-agent", "127.0.0.1:9", "app", "drained");
      cluster.awaitHealthy(a, "app", "drained", 1);
      assertThat(web.app(a, "drained", "/", null).body()).isEqualTo("bare");
      int sessions = agent.sessions();

      agent.say("{\"state\":\"draining\"}");
      long said = System.nanoTime();
      Eventually.within(Cluster.WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          web.get(a, "/v1/resources/app/drained")
                              .json()
                              .getInteger("healthyAgents"))
                      .isZero());
      assertThat(Duration.ofNanos(System.nanoTime() - said)).isLessThan(Duration.ofSeconds(1));
      Web.Response refused = web.app(a, "drained", "/", null);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(agent.sessions()).as("no new session sent to it").isEqualTo(sessions);
      JsonObject listed = listed(a, "draining-agent").orElseThrow();
      assertThat(listed.getString("state")).isEqualTo("draining");
      assertThat(listed.getString("status")).isEqualTo("draining");
      Eventually.within(Cluster.WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          latest(
                                  cluster.records(Topic.TUNNELS),
                                  Keys.tunnel("draining-agent", "proxy-mesh-a"))
                              .getState())
                      .isEqualTo("draining"));
    }
  }
}
