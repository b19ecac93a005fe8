package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.testkit.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents leave Kafka (issue 12, item 5): an agent tells its proxies what it serves over its
 * tunnels, one proxy writes the heartbeats on its behalf after checking them against the agent's
 * certificate, and definitions reach the agent's watchers down the tunnel. Everything is read back
 * from the real topic. Proxies here refresh every 2 s, so a refresh period fits in a test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HeartbeatsIT {
  private static final Duration REFRESH = Duration.ofSeconds(2);

  @RegisterExtension static final Cluster cluster = new Cluster().heartbeatRefresh(REFRESH);

  private static final Duration WAIT = Cluster.WAIT;
  private static Proxy writer;
  private static HostPort first;

  @BeforeAll
  static void start() {
    // Agents dial the first proxy, so its tunnel is their first and it is named their writer.
    writer = cluster.proxy("proxy-hb-a");
    first = writer.webAddress();
    cluster.proxy("proxy-hb-b");
  }

  /** The records of agent {@code agentId} on the heartbeats topic, by key, in topic order. */
  private static Map<String, List<ResourceHeartbeat>> heartbeats(String agentId) {
    Map<String, List<ResourceHeartbeat>> out = new HashMap<>();
    cluster
        .records(Topic.HEARTBEATS)
        .forEach(
            (key, values) -> {
              if (key.endsWith("/" + agentId)) {
                out.put(
                    key,
                    values.stream()
                        .map(v -> v == null ? null : EventCodec.RESOURCE_HEARTBEAT.decode(v))
                        .toList());
              }
            });
    return out;
  }

  private static void awaitTunnels(Agent agent, int proxies) {
    Eventually.within(WAIT).until(() -> agent.connectedProxies().size() == proxies);
  }

  @Test
  void oneProxyWritesAnAgentsHeartbeatsAndRefreshesThemNoMoreThanOncePerPeriod() {
    Agent agent =
        cluster.agent(
            "agent-hb-once",
            """
            app_service:
              apps:
                - { name: once-a, uri: "http://127.0.0.1:9", labels: { env: dev } }
                - { name: once-b, uri: "http://127.0.0.1:9" }
            """);
    awaitTunnels(agent, 2);
    String key = Keys.heartbeat("app", "once-a", "agent-hb-once");
    Eventually.within(WAIT).until(() -> heartbeats("agent-hb-once").containsKey(key));
    ResourceHeartbeat first = heartbeats("agent-hb-once").get(key).get(0);
    assertThat(first.getAgentId()).isEqualTo("agent-hb-once");
    assertThat(first.getLabels()).isEqualTo(Map.of("env", "dev"));
    assertThat(first.getSpec().getUri()).isEqualTo("http://127.0.0.1:9");
    assertThat(first.getOrigin()).isEqualTo("static");
    assertThat(first.getTtlMillis()).as("three refresh periods").isEqualTo(6_000);

    // Over five refresh periods, with the agent connected to both proxies: one writer refreshes
    // at most once per 0.75 period (jitter shortens, never lengthens); two writers would double it.
    Instant from = Instant.now();
    Instant to = from.plus(REFRESH.multipliedBy(5));
    Eventually.within(WAIT.plus(REFRESH.multipliedBy(5)))
        .until(
            () ->
                heartbeats("agent-hb-once").get(key).stream()
                    .anyMatch(h -> h != null && h.getTime().isAfter(to)));
    long written =
        heartbeats("agent-hb-once").get(key).stream()
            .filter(h -> h != null && !h.getTime().isBefore(from) && h.getTime().isBefore(to))
            .count();
    assertThat(written).isBetween(4L, 7L);
    List<Long> sequences =
        heartbeats("agent-hb-once").get(key).stream().map(ResourceHeartbeat::getSequence).toList();
    assertThat(sequences).isSorted();
  }

  @Test
  void anAgentCertifiedForAppsCannotHeartbeatADatabase() {
    Agent agent =
        cluster.agent(
            "agent-hb-apps",
            """
            app_service:
              apps: [ { name: certified, uri: "http://127.0.0.1:9" } ]
            db_service:
              databases: [ { name: uncertified, protocol: postgres, uri: "127.0.0.1:9" } ]
            """,
            Set.of("app"));
    awaitTunnels(agent, 2);
    Eventually.within(WAIT)
        .until(
            () -> agent.meterRegistry().counter("gatehouse.agent.heartbeats.refused").count() >= 1);
    Eventually.within(WAIT)
        .until(
            () ->
                heartbeats("agent-hb-apps")
                    .containsKey(Keys.heartbeat("app", "certified", "agent-hb-apps")));
    assertThat(heartbeats("agent-hb-apps"))
        .as("the app is written, the database never")
        .containsOnlyKeys(Keys.heartbeat("app", "certified", "agent-hb-apps"));
  }

  @Test
  void anAgentCannotHeartbeatAsAnotherAgent() throws Exception {
    try (BareAgent impostor = new BareAgent(cluster.ca(), "agent-hb-impostor", first)) {
      String serve =
          "{\"serve\":{\"agent\":\"%s\",\"kind\":\"app\",\"name\":\"%s\","
              + "\"uri\":\"http://127.0.0.1:9\",\"origin\":\"static\"}}";
      impostor.say(serve.formatted("agent-hb-victim", "stolen"));
      impostor.say(serve.formatted("agent-hb-impostor", "own"));
      impostor.say("{\"writer\":true}");

      Eventually.within(WAIT)
          .until(
              () ->
                  heartbeats("agent-hb-impostor")
                      .containsKey(Keys.heartbeat("app", "own", "agent-hb-impostor")));
      Eventually.within(WAIT)
          .untilAsserted(
              () ->
                  assertThat(impostor.heard())
                      .contains(
                          new io.vertx.core.json.JsonObject()
                              .put("refused", "app/stolen")
                              .put(
                                  "reason",
                                  "this tunnel belongs to agent agent-hb-impostor; it cannot"
                                      + " heartbeat as agent agent-hb-victim")));
      assertThat(heartbeats("agent-hb-victim")).as("nothing written for the victim").isEmpty();
    }
  }

  @Test
  void aWatcherLearnsOnlyTheDefinitionsOfKindsItsCertificateAllows() {
    Agent agent =
        cluster.agent(
            "agent-hb-watch",
            """
            app_service:
              resources: [ { labels: { feed: watched } } ]
            db_service:
              resources: [ { labels: { feed: watched } } ]
            """,
            Set.of("app"));
    for (String doc :
        List.of(
            "kind: db\nversion: v1\nmetadata: { name: fed-db, labels: { feed: watched } }\n"
                + "spec: { uri: \"192.0.2.1:9\", protocol: postgres }\n",
            "kind: app\nversion: v1\nmetadata: { name: fed-app, labels: { feed: watched } }\n"
                + "spec: { uri: \"http://192.0.2.1:9\" }\n")) {
      Web.Response created = cluster.web().post(first, "/v1/resources", "application/yaml", doc);
      assertThat(created.status()).as(created.body()).isEqualTo(201);
    }
    Eventually.within(WAIT).until(agent::isCaughtUp);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(agent.served())
                    .extracting(ServedResource::key)
                    .containsExactly("app/fed-app"));
    Eventually.within(WAIT)
        .until(
            () ->
                heartbeats("agent-hb-watch")
                    .containsKey(Keys.heartbeat("app", "fed-app", "agent-hb-watch")));
    assertThat(agent.meterRegistry().counter("gatehouse.agent.heartbeats.refused").count())
        .as("the db definition never reached the agent, so it asked for nothing it may not serve")
        .isZero();
  }

  @Test
  void aGracefulStopTombstonesEveryHeartbeatOfTheAgent() {
    Agent agent =
        cluster.agent(
            "agent-hb-bye",
            """
            app_service:
              apps:
                - { name: bye-a, uri: "http://127.0.0.1:9" }
                - { name: bye-b, uri: "http://127.0.0.1:9" }
            """);
    awaitTunnels(agent, 2);
    Eventually.within(WAIT).until(() -> heartbeats("agent-hb-bye").size() == 2);

    agent.close();

    // close() returned after a proxy confirmed Kafka has the tombstones.
    Map<String, List<ResourceHeartbeat>> after = heartbeats("agent-hb-bye");
    assertThat(after).hasSize(2);
    after.forEach((key, records) -> assertThat(records.get(records.size() - 1)).as(key).isNull());
  }

  /** Last: it stops the first proxy. */
  @Test
  @Order(Integer.MAX_VALUE)
  void whenTheWritersProxyStopsAnotherProxyGoesOnWriting() {
    Agent agent =
        cluster.agent(
            "agent-hb-move",
            """
            app_service:
              apps: [ { name: move, uri: "http://127.0.0.1:9" } ]
            """);
    awaitTunnels(agent, 2);
    String key = Keys.heartbeat("app", "move", "agent-hb-move");
    Eventually.within(WAIT).until(() -> heartbeats("agent-hb-move").containsKey(key));

    // The writer goes; the proxy left goes on refreshing (it knew what the agent serves).
    writer.close();
    Instant stopped = Instant.now();
    Eventually.within(WAIT)
        .until(
            () ->
                heartbeats("agent-hb-move").get(key).stream()
                    .anyMatch(h -> h != null && h.getTime().isAfter(stopped.plus(REFRESH))));
  }
}
