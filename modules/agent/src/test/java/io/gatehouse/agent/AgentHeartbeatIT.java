package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.ServedResource.Origin;
import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicBootstrap;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.state.Liveness;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TypedStore;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats of static and dynamic resources and of the agent itself, against a real broker. Agents
 * still write them to Kafka themselves; their tunnel is beside the point here, so they dial a port
 * where nothing listens and keep retrying while they beat.
 */
class AgentHeartbeatIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NO_PROXY = "127.0.0.1:1";

  @TempDir static Path caDir;
  private static ClusterCa ca;

  @TempDir Path dataDirs;

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private TopicNames names;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void createTheClusterCa() {
    ca = ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
  }

  @BeforeEach
  void setUp() {
    names = new TopicNames(kafka.uniquePrefix("hb").replaceAll("\\.$", ""));
    producer = new KafkaProducer<>(kafka.producerProps());
    cleanup.add(producer);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  /** An agent's file, with credentials from the cluster CA in its data directory. */
  private String config(String id, String heartbeat, String services) {
    Path dataDir = dataDirs.resolve(id);
    AgentCredentials.issue(ca, id, Set.of("app", "db"), Duration.ofHours(1), new SecureRandom())
        .write(dataDir);
    return """
        agent:
          id: %s
          kafka: { bootstrap: "%s" }
          proxy: "%s"
          data_dir: "%s"
          topic_prefix: %s
          heartbeat: %s
        %s
        """
        .formatted(
            id, kafka.bootstrapServers(), NO_PROXY, dataDir, names.prefix(), heartbeat, services);
  }

  /** What agents write as their address now that nobody dials them: the host's name. */
  private static String hostName() throws Exception {
    return InetAddress.getLocalHost().getHostName();
  }

  private Agent start(String id, String heartbeat, String services) {
    Agent agent =
        Agent.builder(AgentConfig.parse(config(id, heartbeat, services), id + ".yaml"))
            .meterRegistry(new SimpleMeterRegistry())
            .start();
    cleanup.add(agent);
    return agent;
  }

  private <T extends org.apache.avro.specific.SpecificRecord> TopicView<T> view(
      Topic topic, EventCodec<T> codec) {
    TopicView<T> view = new TopicView<>(kafka, names.of(topic), codec);
    cleanup.add(view);
    return view;
  }

  private void define(String kind, String name, Map<String, String> labels, String uri)
      throws Exception {
    ResourceDefinition d =
        ResourceDefinition.newBuilder()
            .setKind(kind)
            .setName(name)
            .setLabels(labels)
            .setSpec(new ResourceSpec(uri, null))
            .setUpdatedAt(Instant.now())
            .setUpdatedBy("test")
            .build();
    producer
        .send(
            new ProducerRecord<>(
                names.of(Topic.RESOURCES),
                Keys.bytes(Keys.resource(kind, name)),
                EventCodec.RESOURCE_DEFINITION.encode(d)))
        .get();
  }

  private void delete(String kind, String name) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                names.of(Topic.RESOURCES), Keys.bytes(Keys.resource(kind, name)), null))
        .get();
  }

  private static final String DEFAULT_TIMING = "{ interval: 1s, ttl: 3s, refresh: 60s }";

  @Test
  void staticResourceAndAgentBeatCarryTheContractFields() throws Exception {
    Agent agent =
        start(
            "agent-static",
            DEFAULT_TIMING,
            """
            app_service:
              apps: [ { name: web, uri: "http://localhost:8080", labels: { env: prod } } ]
            db_service:
              databases: [ { name: pg, protocol: postgres, uri: "localhost:5432" } ]
            """);
    Instant started = Instant.now();
    TopicView<ResourceHeartbeat> heartbeats = view(Topic.HEARTBEATS, EventCodec.RESOURCE_HEARTBEAT);
    TopicView<AgentBeat> beats = view(Topic.AGENTS, EventCodec.AGENT_BEAT);

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              heartbeats.poll();
              assertThat(heartbeats.latest("app/web/agent-static")).isPresent();
              assertThat(heartbeats.latest("db/pg/agent-static")).isPresent();
            });
    ResourceHeartbeat web = heartbeats.latest("app/web/agent-static").orElseThrow();
    assertThat(web.getKind()).isEqualTo("app");
    assertThat(web.getName()).isEqualTo("web");
    assertThat(web.getLabels()).containsExactly(Map.entry("env", "prod"));
    assertThat(web.getSpec().getUri()).isEqualTo("http://localhost:8080");
    assertThat(web.getAgentId()).isEqualTo("agent-static");
    assertThat(web.getAgentAddress()).isEqualTo(hostName());
    assertThat(web.getOrigin()).isEqualTo("static");
    assertThat(web.getTtlMillis()).isEqualTo(Duration.ofMinutes(3).toMillis());
    assertThat(web.getTime()).isBetween(started.minusSeconds(30), Instant.now());
    assertThat(heartbeats.latest("db/pg/agent-static").orElseThrow().getSpec().getProtocol())
        .isEqualTo("postgres");
    assertThat(agent.served()).extracting(ServedResource::key).containsExactly("app/web", "db/pg");

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              beats.poll();
              assertThat(beats.latest("agent-static")).isPresent();
            });
    AgentBeat beat = beats.latest("agent-static").orElseThrow();
    assertThat(beat.getAddress()).isEqualTo(hostName());
    assertThat(beat.getState()).isEqualTo("serving");
    assertThat(beat.getTtlMillis()).isEqualTo(3000);
    assertThat(beat.getVersion()).isNotBlank();
    assertThat(beat.getStartedAt()).isBeforeOrEqualTo(beat.getTime());
  }

  @Test
  void beatsAndRefreshesRepeatWithAnIncreasingSequence() {
    start(
        "agent-refresh",
        "{ interval: 100ms, ttl: 500ms, refresh: 300ms }",
        "app_service: { apps: [ { name: web, uri: 'http://localhost:1' } ] }");
    TopicView<ResourceHeartbeat> heartbeats = view(Topic.HEARTBEATS, EventCodec.RESOURCE_HEARTBEAT);
    TopicView<AgentBeat> beats = view(Topic.AGENTS, EventCodec.AGENT_BEAT);

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(heartbeats.poll().history("app/web/agent-refresh"))
                  .hasSizeGreaterThanOrEqualTo(4);
              assertThat(beats.poll().history("agent-refresh")).hasSizeGreaterThanOrEqualTo(10);
            });
    List<Long> sequences =
        heartbeats.history("app/web/agent-refresh").stream()
            .map(o -> o.orElseThrow().getSequence())
            .toList();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    List<Instant> times =
        heartbeats.history("app/web/agent-refresh").stream()
            .map(o -> o.orElseThrow().getTime())
            .toList();
    assertThat(Duration.between(times.get(0), times.get(times.size() - 1)))
        .as("refreshed every 225-300 ms, never later")
        .isLessThan(Duration.ofMillis(400L * times.size()));
  }

  @Test
  void dynamicResourceLifecycleCreateUpdateRelabelOutAndDelete() throws Exception {
    Agent agent =
        start(
            "agent-dyn",
            DEFAULT_TIMING,
            """
            app_service:
              resources: [ { labels: { env: prod, region: "us-*" } }, { labels: { team: "^(db|web)$" } } ]
            db_service:
              resources: [ { labels: { "*": "*" } } ]
            """);
    TopicView<ResourceHeartbeat> heartbeats = view(Topic.HEARTBEATS, EventCodec.RESOURCE_HEARTBEAT);

    // create -> heartbeat appears
    define("app", "api", Map.of("env", "prod", "region", "us-east-1"), "http://api.internal:8080");
    define("db", "orders", Map.of(), "orders.internal:5432");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              heartbeats.poll();
              assertThat(heartbeats.latest("app/api/agent-dyn"))
                  .hasValueSatisfying(
                      hb -> {
                        assertThat(hb.getOrigin()).isEqualTo("dynamic");
                        assertThat(hb.getSpec().getUri()).isEqualTo("http://api.internal:8080");
                      });
              assertThat(heartbeats.latest("db/orders/agent-dyn")).isPresent();
            });
    assertThat(agent.served())
        .extracting(ServedResource::key, ServedResource::origin)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("app/api", Origin.DYNAMIC),
            org.assertj.core.groups.Tuple.tuple("db/orders", Origin.DYNAMIC));

    // an update that still matches (through the other selector) -> the heartbeat follows it
    define("app", "api", Map.of("team", "web"), "http://api-v2.internal:8080");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(heartbeats.poll().latest("app/api/agent-dyn"))
                    .hasValueSatisfying(
                        hb -> {
                          assertThat(hb.getSpec().getUri())
                              .isEqualTo("http://api-v2.internal:8080");
                          assertThat(hb.getLabels()).containsExactly(Map.entry("team", "web"));
                        }));

    // relabelled out of scope -> tombstone
    define(
        "app",
        "api",
        Map.of("team", "ops", "env", "prod", "region", "eu-west-1"),
        "http://api-v2.internal:8080");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(heartbeats.poll().isTombstoned("app/api/agent-dyn")).isTrue());
    assertThat(agent.served()).extracting(ServedResource::key).containsExactly("db/orders");

    // delete -> tombstone
    delete("db", "orders");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(heartbeats.poll().isTombstoned("db/orders/agent-dyn")).isTrue());
    assertThat(agent.served()).isEmpty();

    // a kind whose service is not enabled is never served
    define("kube", "prod", Map.of("env", "prod", "region", "us-east-1"), "https://k8s:6443");
    define("db", "marker", Map.of(), "marker:5432");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(heartbeats.poll().latest("db/marker/agent-dyn")).isPresent());
    assertThat(heartbeats.keys()).doesNotContain("kube/prod/agent-dyn");
  }

  @Test
  void staticResourceWinsANameClashWithADynamicOne() throws Exception {
    new TopicBootstrap(kafka.admin(), names, (short) 1, WAIT).ensure(List.of(Topic.RESOURCES));
    define("app", "web", Map.of("env", "prod"), "http://dynamic-web:80");
    Agent agent =
        start(
            "agent-clash",
            DEFAULT_TIMING,
            """
            app_service:
              apps: [ { name: web, uri: "http://static-web:80" } ]
              resources: [ { labels: { env: prod } } ]
            """);
    Eventually.within(WAIT).until(agent::isCaughtUp);
    define("app", "web", Map.of("env", "prod"), "http://dynamic-web-2:80");
    define("app", "other", Map.of("env", "prod"), "http://other:80");
    TopicView<ResourceHeartbeat> heartbeats = view(Topic.HEARTBEATS, EventCodec.RESOURCE_HEARTBEAT);

    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(heartbeats.poll().latest("app/other/agent-clash")).isPresent());
    assertThat(heartbeats.history("app/web/agent-clash"))
        .as("one heartbeat, for the static resource, and no update from the dynamic definitions")
        .singleElement()
        .satisfies(
            hb -> {
              assertThat(hb.orElseThrow().getOrigin()).isEqualTo("static");
              assertThat(hb.orElseThrow().getSpec().getUri()).isEqualTo("http://static-web:80");
            });
    assertThat(agent.served())
        .filteredOn(r -> r.name().equals("web"))
        .singleElement()
        .extracting(ServedResource::origin)
        .isEqualTo(Origin.STATIC);
  }

  @Test
  void gracefulStopTombstonesEveryRecordAndTheBeat() throws Exception {
    Agent agent =
        start(
            "agent-bye",
            DEFAULT_TIMING,
            """
            app_service:
              apps: [ { name: web, uri: "http://localhost:8080" } ]
              resources: [ { labels: { "*": "*" } } ]
            db_service:
              databases: [ { name: pg, uri: "localhost:5432" } ]
            """);
    define("app", "dyn", Map.of("x", "y"), "http://dyn:80");
    TopicView<ResourceHeartbeat> heartbeats = view(Topic.HEARTBEATS, EventCodec.RESOURCE_HEARTBEAT);
    TopicView<AgentBeat> beats = view(Topic.AGENTS, EventCodec.AGENT_BEAT);
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(heartbeats.poll().latest("app/dyn/agent-bye")).isPresent();
              assertThat(beats.poll().latest("agent-bye")).isPresent();
            });

    agent.close();
    agent.close(); // idempotent

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              heartbeats.poll();
              beats.poll();
              assertThat(heartbeats.keys())
                  .containsExactlyInAnyOrder(
                      "app/web/agent-bye", "db/pg/agent-bye", "app/dyn/agent-bye");
              assertThat(heartbeats.keys())
                  .allSatisfy(key -> assertThat(heartbeats.isTombstoned(key)).as(key).isTrue());
              assertThat(beats.isTombstoned("agent-bye")).isTrue();
            });
  }

  @Test
  void aKilledAgentsBeatGoesStaleWithoutATombstone(@TempDir Path dir) {
    Agent agent =
        start(
            "agent-crash",
            "{ interval: 100ms, ttl: 500ms, refresh: 60s }",
            "app_service: { apps: [ { name: web, uri: 'http://localhost:1' } ] }");

    // A proxy's view: the agents table materialized, liveness judged against the stream.
    StateStore store =
        StateStore.open(
            dir.resolve("proxy"), List.of(Topic.AGENTS.suffix(), Topic.HEARTBEATS.suffix()));
    cleanup.add(store);
    Materializer materializer =
        Materializer.builder(
                store, KafkaSettings.of(kafka.bootstrapServers()).withClientId("test-proxy"))
            .topicNames(names)
            .topics(List.of(Topic.AGENTS, Topic.HEARTBEATS))
            .deadLetters(false)
            .build()
            .start();
    cleanup.add(materializer);
    TypedStore<AgentBeat> agents =
        new TypedStore<>(store.table(Topic.AGENTS.suffix()), EventCodec.AGENT_BEAT);
    TypedStore<ResourceHeartbeat> hbs =
        new TypedStore<>(store.table(Topic.HEARTBEATS.suffix()), EventCodec.RESOURCE_HEARTBEAT);
    Liveness liveness = new Liveness(materializer.streamClock());

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(materializer.isCaughtUp()).isTrue();
              Optional<AgentBeat> beat = agents.get("agent-crash");
              assertThat(beat).isPresent();
              assertThat(
                      liveness.isFresh(
                          beat.get().getTime(), Duration.ofMillis(beat.get().getTtlMillis())))
                  .isTrue();
            });

    agent.kill();
    agent.kill(); // idempotent
    Instant killedAt = Instant.now();

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              AgentBeat beat =
                  agents
                      .get("agent-crash")
                      .orElseThrow(
                          () -> new AssertionError("a killed agent must not tombstone its beat"));
              assertThat(liveness.isFresh(beat.getTime(), Duration.ofMillis(beat.getTtlMillis())))
                  .isFalse();
            });
    assertThat(agents.get("agent-crash").orElseThrow().getTime())
        .as("no beat after the kill")
        .isBeforeOrEqualTo(killedAt);
    assertThat(hbs.get("app/web/agent-crash"))
        .as("heartbeats stay until their TTL; proxies judge them by the beat")
        .isPresent();
  }

  @Test
  void startFailsClearlyWhenKafkaIsUnreachable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    AgentConfig config =
        AgentConfig.parse(
            """
            agent:
              id: lonely
              kafka: { bootstrap: "127.0.0.1:%d", startup_timeout: 2s }
              proxy: "127.0.0.1:1"
            """
                .formatted(closedPort),
            "lonely.yaml");
    assertThatThrownBy(() -> Agent.start(config))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("cannot reach Kafka at 127.0.0.1:" + closedPort);
  }
}
