package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.ServedResource.Origin;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent says on its control stream and what it makes of what a proxy says, against a real
 * tunnel to a {@link TestProxy} that keeps every line: the agent tells its proxy what it serves
 * (static and dynamic), names it the writer of its heartbeats, learns its dynamic resources from
 * the definitions the proxy streams, and says draining and goodbye on a graceful stop, nothing on a
 * crash. It needs no Kafka; the proxy's side (checking and writing) is tested in the proxy module.
 */
class AgentControlIT {
  private static final Duration WAIT = TestProxy.WAIT;

  @TempDir Path dir;
  private TestProxy proxy;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void startTheProxy() {
    proxy = TestProxy.start(dir.resolve("ca"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    proxy.close();
  }

  private Agent start(String id, String services) {
    return start(id, services, "5s");
  }

  private Agent start(String id, String services, String shutdownTimeout) {
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
          shutdown_timeout: %s
        %s
        """
            .formatted(
                id,
                proxy.address(),
                proxy.provision(id, dir.resolve(id)),
                shutdownTimeout,
                services);
    Agent agent =
        Agent.builder(AgentConfig.parse(yaml, id + ".yaml"))
            .meterRegistry(new SimpleMeterRegistry())
            .start();
    cleanup.add(agent::kill);
    return agent;
  }

  private static JsonObject definition(String kind, String name, Map<String, String> labels) {
    ResourceDefinition d =
        ResourceDefinition.newBuilder()
            .setKind(kind)
            .setName(name)
            .setLabels(labels)
            // A documentation address (TEST-NET-1): loopback is refused unless a watcher names it.
            .setSpec(new ResourceSpec("http://192.0.2.1:9", null))
            .setUpdatedAt(Instant.now())
            .setUpdatedBy("test")
            .build();
    String avro = Base64.getEncoder().encodeToString(EventCodec.RESOURCE_DEFINITION.encode(d));
    return new JsonObject()
        .put(
            "definition", new JsonObject().put("key", Keys.resource(kind, name)).put("avro", avro));
  }

  private List<String> served(String agentId) {
    return proxy.controlLines(agentId, "serve").stream()
        .map(l -> l.getJsonObject("serve"))
        .map(s -> s.getString("kind") + "/" + s.getString("name"))
        .toList();
  }

  private List<String> unserved(String agentId) {
    return proxy.controlLines(agentId, "unserve").stream()
        .map(l -> l.getString("unserve"))
        .toList();
  }

  @Test
  void tellsItsProxyWhatItServesThenNamesItTheWriter() {
    start(
        "agent-static",
        """
        app_service:
          apps: [ { name: web, uri: "http://127.0.0.1:8080", labels: { env: dev } } ]
        db_service:
          databases: [ { name: pg, protocol: postgres, uri: "127.0.0.1:5432" } ]
        """);

    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-static", "writer").isEmpty());
    List<JsonObject> lines = proxy.controlLines("agent-static");
    assertThat(
            lines.stream().filter(l -> l.containsKey("serve")).map(l -> l.getJsonObject("serve")))
        .containsExactlyInAnyOrder(
            new JsonObject()
                .put("agent", "agent-static")
                .put("kind", "app")
                .put("name", "web")
                .put("labels", new JsonObject().put("env", "dev"))
                .put("uri", "http://127.0.0.1:8080")
                .put("origin", "static"),
            new JsonObject()
                .put("agent", "agent-static")
                .put("kind", "db")
                .put("name", "pg")
                .put("labels", new JsonObject())
                .put("uri", "127.0.0.1:5432")
                .put("origin", "static")
                .put("protocol", "postgres"));
    assertThat(lines.stream().filter(l -> l.containsKey("writer")).toList())
        .as("the only proxy writes the heartbeats, told so once")
        .containsExactly(new JsonObject().put("writer", true));
    assertThat(proxy.controlLines("agent-static", "watch"))
        .as("no selector, no definitions asked for")
        .isEmpty();
  }

  @Test
  void servesAndUnservesTheDefinitionsItsProxyStreams() {
    Agent agent =
        start(
            "agent-dynamic",
            """
            app_service:
              apps: [ { name: fixed, uri: "http://127.0.0.1:8080" } ]
              resources: [ { labels: { env: dev } } ]
            """);
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-dynamic", "watch").isEmpty());
    assertThat(agent.isCaughtUp()).as("nothing synced yet").isFalse();

    proxy.control("agent-dynamic", definition("app", "grafana", Map.of("env", "dev")));
    proxy.control("agent-dynamic", definition("app", "secret", Map.of("env", "prod")));
    proxy.control("agent-dynamic", definition("app", "fixed", Map.of("env", "dev")));
    proxy.control("agent-dynamic", new JsonObject().put("synced", true));

    Eventually.within(WAIT).until(agent::isCaughtUp);
    Eventually.within(WAIT).until(() -> served("agent-dynamic").contains("app/grafana"));
    assertThat(agent.served())
        .extracting(ServedResource::key, ServedResource::origin)
        .as("a label match is served; a static resource wins a name clash")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("app/fixed", Origin.STATIC),
            org.assertj.core.groups.Tuple.tuple("app/grafana", Origin.DYNAMIC));
    assertThat(served("agent-dynamic")).doesNotContain("app/secret");

    proxy.control("agent-dynamic", definition("app", "grafana", Map.of("env", "prod")));
    Eventually.within(WAIT).until(() -> unserved("agent-dynamic").contains("app/grafana"));

    proxy.control("agent-dynamic", definition("app", "grafana", Map.of("env", "dev")));
    Eventually.within(WAIT)
        .until(() -> served("agent-dynamic").stream().filter("app/grafana"::equals).count() == 2);
    proxy.control("agent-dynamic", new JsonObject().put("removed", "app/grafana"));
    Eventually.within(WAIT)
        .until(() -> unserved("agent-dynamic").stream().filter("app/grafana"::equals).count() == 2);
    assertThat(agent.served()).extracting(ServedResource::key).containsExactly("app/fixed");
  }

  @Test
  void aNewTunnelResyncsAndDropsWhatTheProxyNoLongerDefines() {
    Agent agent =
        start(
            "agent-resync",
            """
            app_service:
              resources: [ { labels: { env: dev } } ]
            """);
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-resync", "watch").isEmpty());
    proxy.control("agent-resync", definition("app", "grafana", Map.of("env", "dev")));
    proxy.control("agent-resync", new JsonObject().put("synced", true));
    Eventually.within(WAIT).until(() -> agent.served().size() == 1);

    // The tunnel goes (a proxy restart); the next one asks again and hears of no definition:
    // grafana was deleted meanwhile.
    proxy.awaitTunnel("agent-resync").close();
    Eventually.within(WAIT).until(() -> proxy.controlLines("agent-resync", "watch").size() == 2);
    proxy.control("agent-resync", new JsonObject().put("synced", true));

    Eventually.within(WAIT).until(() -> agent.served().isEmpty());
    // The line reaches the proxy a moment after the agent stopped serving.
    Eventually.within(WAIT)
        .untilAsserted(() -> assertThat(unserved("agent-resync")).containsExactly("app/grafana"));
  }

  @Test
  void aGracefulStopSaysDrainingThenGoodbyeAndWaitsForTheProxy() throws Exception {
    Agent agent =
        start(
            "agent-stop",
            """
            app_service:
              apps: [ { name: web, uri: "http://127.0.0.1:8080" } ]
            """,
            "60s");
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-stop", "writer").isEmpty());

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(agent::close);
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-stop", "goodbye").isEmpty());
    assertThat(proxy.controlLines("agent-stop", "state"))
        .as("no session was open: the drain is over at once")
        .containsExactly(new JsonObject().put("state", "draining").put("sessions", 0));
    assertThat(stopping).as("waits for the proxy to confirm the tombstones").isNotDone();

    proxy.control("agent-stop", new JsonObject().put("goodbye", "done"));
    // Well before the 60 s shutdown timeout: the answer ended the wait.
    stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Eventually.within(WAIT).until(() -> proxy.tunnel("agent-stop").isEmpty());
  }

  @Test
  void aKilledAgentSaysNothingMore() {
    Agent agent =
        start(
            "agent-crash",
            """
            app_service:
              apps: [ { name: web, uri: "http://127.0.0.1:8080" } ]
            """);
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-crash", "writer").isEmpty());

    agent.kill();

    Eventually.within(WAIT).until(() -> proxy.tunnel("agent-crash").isEmpty());
    assertThat(proxy.controlLines("agent-crash", "goodbye")).isEmpty();
    assertThat(proxy.controlLines("agent-crash", "state")).isEmpty();
  }

  @Test
  void countsTheHeartbeatsItsProxyRefuses() {
    Agent agent =
        start(
            "agent-refused",
            """
            db_service:
              databases: [ { name: pg, protocol: postgres, uri: "127.0.0.1:5432" } ]
            """);
    Eventually.within(WAIT).until(() -> !proxy.controlLines("agent-refused", "serve").isEmpty());

    proxy.control(
        "agent-refused",
        new JsonObject()
            .put("refused", "db/pg")
            .put("reason", "the certificate of agent agent-refused allows kinds app, not db"));

    Eventually.within(WAIT)
        .until(
            () ->
                agent.meterRegistry().counter("gatehouse.agent.heartbeats.refused").count() == 1.0);
  }
}
