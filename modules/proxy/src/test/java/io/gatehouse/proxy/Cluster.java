package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.join.TokenConsole;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The broker, proxies, agents and HTTP client of one integration test class, registered once:
 *
 * <pre>{@code
 * @RegisterExtension static final Cluster cluster = new Cluster();
 * }</pre>
 *
 * <p>Guarantees: before the class's {@code @BeforeAll} methods run, a real broker is up (see {@link
 * KafkaBrokerExtension}) and a fresh data directory exists; every proxy and agent the class starts
 * runs on that broker under one topic prefix of its own, and its proxies share one CA directory
 * with one cluster secret, so they find each other's sessions. After the last test (and the class's
 * {@code @AfterAll} methods) everything is closed in the reverse of the order it was started or
 * {@linkplain #adopt handed over}: agents and proxies first, the data directory deleted once no
 * store is open, then the broker, and last the {@linkplain #web() HTTP client} whose Vert.x serves
 * the upstreams. Agents are {@linkplain Agent#kill() killed}, as a test that checks goodbyes closes
 * its agent itself. Every part is closed even when one fails; the first failure fails the class.
 * The field must be {@code static}.
 */
final class Cluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  /** How long a test waits for the cluster to settle: generous, as the build shares its cores. */
  static final Duration WAIT = Duration.ofSeconds(20);

  /** The user every proxy of the class knows, holding the built-in admin role. */
  static final String ADMIN = "admin";

  private final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  private final Closer closer = new Closer();
  // Registered first, so it closes last: its Vert.x serves the upstreams the agents relay to.
  private final Web web = closer.register(new Web());
  final String prefix = kafka.uniquePrefix("proxy").replaceAll("\\.$", "");
  private Path dataDir;
  private ClusterCa ca;
  private TokenConsole tokens;

  /** Where agents dial their tunnel: the first proxy started. */
  private HostPort firstProxy;

  private SessionKeys sessionKeys;

  /** What proxies started from now on write in {@code proxy.heartbeats.refresh}. */
  private Duration heartbeatRefresh = Duration.ofSeconds(90);

  /** Outer class plus entered {@code @Nested} classes: JUnit calls the hooks once for each. */
  private int depth;

  @Override
  public synchronized void beforeAll(ExtensionContext context) throws IOException {
    if (depth++ > 0) {
      return;
    }
    kafka.beforeAll(context);
    closer.register(() -> kafka.afterAll(context));
    dataDir = Files.createTempDirectory("gatehouse-proxy-it");
    closer.register(() -> deleteTree(dataDir));
    ca = ClusterCa.init(caDir(), Clock.systemUTC(), new SecureRandom());
    web.trust(ca.certificate());
    sessionKeys = new SessionKeys(ClusterSecret.read(caDir()));
  }

  /** The cluster CA, which signs the proxies' and agents' certificates. */
  ClusterCa ca() {
    return ca;
  }

  /** Where agent {@code id} started by {@link #agent} keeps its credentials. */
  Path agentDir(String id) {
    return dataDir.resolve(id);
  }

  /** The proxies' CA directory, holding the CA and the cluster secret. */
  Path caDir() {
    return dataDir.resolve("ca");
  }

  /** The key of session {@code sessionId} (a cookie's value) on this cluster's topics. */
  String sessionKey(String sessionId) {
    return sessionKeys.of(sessionId);
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth > 0) {
      return;
    }
    close();
  }

  /** The broker, e.g. to stop and restart it or for its admin client. Do not close it. */
  KafkaBrokerExtension kafka() {
    return kafka;
  }

  /**
   * The blocking HTTP client, with the Vert.x instance for the test's upstream servers; usable from
   * a static initializer, as it starts nothing until first used.
   */
  Web web() {
    return web;
  }

  /** Takes {@code part} over: closes it with the cluster, before everything started earlier. */
  <T extends AutoCloseable> T adopt(T part) {
    return closer.register(part);
  }

  /** Proxies started after this call refresh heartbeats every {@code refresh}. */
  Cluster heartbeatRefresh(Duration refresh) {
    this.heartbeatRefresh = refresh;
    return this;
  }

  Proxy proxy(String id) {
    return proxy(id, Duration.ofSeconds(75));
  }

  Proxy proxy(String id, Duration responseTimeout) {
    return proxy(id, responseTimeout, "");
  }

  /**
   * A proxy with {@code settings}, YAML keys of the {@code proxy} section in flow style, added to
   * the cluster's, e.g. {@code "limits: { idle_timeout: 2s }"}.
   */
  Proxy proxy(String id, String settings) {
    return proxy(id, Duration.ofSeconds(75), settings);
  }

  private Proxy proxy(String id, Duration responseTimeout, String settings) {
    return proxy(id, responseTimeout, settings, "");
  }

  /**
   * A proxy with {@code settings} as {@link #proxy(String, String)} takes them and {@code routing},
   * keys of {@code proxy.routing} in flow style added to the cluster's, e.g. {@code "policy:
   * least-sessions"}.
   */
  Proxy proxy(String id, String settings, String routing) {
    return proxy(id, Duration.ofSeconds(75), settings, routing);
  }

  private Proxy proxy(String id, Duration responseTimeout, String settings, String routing) {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: %s
              kafka: { bootstrap: "%s" }
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:0"
              public_host: localhost
              topic_prefix: %s
              routing: { eject_backoff: 10s, response_timeout: %s%s }
              heartbeats: { refresh: %s }
              %s
            """
                .formatted(
                    id,
                    kafka.bootstrapServers(),
                    dataDir.resolve(id),
                    caDir(),
                    prefix,
                    responseTimeout.toMillis() + "ms",
                    routing.isEmpty() ? "" : ", " + routing,
                    heartbeatRefresh.toMillis() + "ms",
                    settings),
            id + ".yaml");
    Proxy proxy = closer.register(Proxy.start(config));
    web.tls(proxy.webAddress());
    if (firstProxy == null) {
      firstProxy = proxy.webAddress();
      // The class's requests go as the admin, who may do everything; tests of refusals say so.
      try {
        proxy
            .accounts()
            .put(ADMIN, List.of("admin"), null, "test")
            .toCompletableFuture()
            .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("cannot write the admin user: " + e, e);
      }
      Eventually.within(WAIT).until(() -> proxy.accounts().knows(ADMIN));
      web.bearer(proxy.accounts().credential(ADMIN, Duration.ofHours(12)));
    } else {
      Eventually.within(WAIT).until(() -> proxy.accounts().knows(ADMIN));
    }
    return proxy;
  }

  /**
   * An agent with {@code services} as its YAML services sections and a metrics port, holding a
   * certificate from the cluster CA for every kind and dialing the first proxy started.
   */
  Agent agent(String id, String services) {
    return agent(id, services, Duration.ofHours(1));
  }

  /** {@link #agent(String, String)} with a certificate that lasts {@code certificateLifetime}. */
  Agent agent(String id, String services, Duration certificateLifetime) {
    return agent(id, services, certificateLifetime, ALL_KINDS);
  }

  /** {@link #agent(String, String)} with a certificate that allows only {@code kinds}. */
  Agent agent(String id, String services, Set<String> kinds) {
    return agent(id, services, Duration.ofHours(1), kinds);
  }

  /** {@link #agent(String, String)} in {@code zone} ({@code agent.zone}). */
  Agent zonedAgent(String id, String zone, String services) {
    return agent(id, services, Duration.ofHours(1), ALL_KINDS, "zone: " + zone);
  }

  /**
   * {@link #agent(String, String)} with {@code settings}, YAML keys of the {@code agent} section in
   * flow style, e.g. {@code "drain_timeout: 2s"}.
   */
  Agent agent(String id, String settings, String services) {
    return agent(id, services, Duration.ofHours(1), ALL_KINDS, settings);
  }

  private Agent agent(String id, String services, Duration certificateLifetime, Set<String> kinds) {
    return agent(id, services, certificateLifetime, kinds, "");
  }

  private Agent agent(
      String id,
      String services,
      Duration certificateLifetime,
      Set<String> kinds,
      String agentSettings) {
    if (firstProxy == null) {
      throw new IllegalStateException("start a proxy before agent " + id + ": agents dial one");
    }
    Path agentDir = dataDir.resolve(id);
    AgentCredentials.issue(ca, id, kinds, certificateLifetime, new SecureRandom()).write(agentDir);
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
          relay: { connect_timeout: 2s }
          metrics: { listen: "127.0.0.1:0" }
          %s
        %s
        """
            .formatted(id, firstProxy, agentDir, agentSettings, services);
    return closer.register(Agent.start(AgentConfig.parse(yaml, id + ".yaml")), Agent::kill);
  }

  private static final Set<String> ALL_KINDS =
      Arrays.stream(ResourceKind.values()).map(ResourceKind::word).collect(Collectors.toSet());

  /**
   * An agent with no credentials that joins through the first proxy with {@code token}, checking
   * the proxy's CA against {@code caPin}; its data directory is {@code <id>-<dir>}, so a test can
   * start a second agent of the same id afresh.
   */
  Agent joiningAgent(String id, String dir, String services, String token, String caPin) {
    return joiningAgent(id, dir, services, token, caPin, firstProxy);
  }

  /** {@link #joiningAgent(String, String, String, String, String)} through {@code proxy}. */
  Agent joiningAgent(
      String id, String dir, String services, String token, String caPin, HostPort proxy) {
    Path agentDir = dataDir.resolve(id + "-" + dir);
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          join: { token: "%s", ca_pin: "%s" }
          data_dir: "%s"
          relay: { connect_timeout: 2s }
        %s
        """
            .formatted(id, proxy, token, caPin, agentDir, services);
    return closer.register(Agent.start(AgentConfig.parse(yaml, id + ".yaml")), Agent::kill);
  }

  /** The join tokens of this cluster, as an operator's {@code gatehouse tokens} sees them. */
  synchronized JoinTokens tokens() throws IOException {
    if (tokens == null) {
      tokens =
          closer.register(
              TokenConsole.open(
                  KafkaSettings.of(kafka.bootstrapServers()).withClientId("cluster-tokens"),
                  new TopicNames(prefix),
                  TopicReplication.SINGLE,
                  Files.createTempDirectory(dataDir, "tokens"),
                  ClusterSecret.read(caDir()),
                  Clock.systemUTC(),
                  "cluster-test",
                  WAIT));
    }
    return tokens.tokens();
  }

  /** An agent serving one HTTP app. */
  Agent app(String id, String name, int upstreamPort) {
    return agent(
        id,
        "app_service:\n  apps:\n    - { name: %s, uri: \"http://127.0.0.1:%d\" }"
            .formatted(name, upstreamPort));
  }

  /**
   * Records that make {@code address} look like a healthy agent serving {@code kind/name} for the
   * next two minutes and connected to proxy {@code proxyId}, with no agent behind them.
   */
  void fakeAgent(String agentId, String address, String kind, String name, String proxyId)
      throws Exception {
    heartbeat(agentId, address, kind, name);
    TopicNames names = new TopicNames(prefix);
    Instant now = Instant.now();
    TunnelPresence presence =
        TunnelPresence.newBuilder()
            .setAgentId(agentId)
            .setProxyId(proxyId)
            .setSince(now)
            .setRemote(address)
            .setKinds(List.of(kind))
            .build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer
          .send(
              new ProducerRecord<>(
                  names.of(Topic.TUNNELS),
                  Keys.bytes(Keys.tunnel(agentId, proxyId)),
                  EventCodec.TUNNEL_PRESENCE.encode(presence)))
          .get();
    }
  }

  /**
   * A heartbeat of {@code agentId} for {@code kind/name}, as if the agent served it, current for
   * the heartbeat's default TTL.
   */
  void heartbeat(String agentId, String address, String kind, String name) throws Exception {
    TopicNames names = new TopicNames(prefix);
    Instant now = Instant.now();
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind(kind)
            .setName(name)
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build())
            .setAgentId(agentId)
            .setAgentAddress(address)
            .setOrigin("static")
            .setSequence(1)
            .setTime(now)
            .build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer
          .send(
              new ProducerRecord<>(
                  names.of(Topic.HEARTBEATS),
                  Keys.bytes(Keys.heartbeat(kind, name, agentId)),
                  EventCodec.RESOURCE_HEARTBEAT.encode(hb)))
          .get();
    }
  }

  /**
   * Writes {@code value} (a tombstone when null) under {@code key} on {@code topic}, as a proxy.
   */
  void write(Topic topic, String key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer
          .send(new ProducerRecord<>(new TopicNames(prefix).of(topic), Keys.bytes(key), value))
          .get();
    }
  }

  /** Every record of {@code topic} so far, by key, the latest last; a tombstone is null. */
  Map<String, List<byte[]>> records(Topic topic) {
    Map<String, List<byte[]>> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : log(topic)) {
      out.computeIfAbsent(Keys.string(r.key()), k -> new ArrayList<>()).add(r.value());
    }
    return out;
  }

  /** Every audit event written so far, in partition order. */
  List<AuditEvent> audit() {
    return log(Topic.AUDIT).stream().map(r -> EventCodec.AUDIT_EVENT.decode(r.value())).toList();
  }

  /** Every record on {@code topic} so far (tombstones too), in partition order. */
  List<ConsumerRecord<byte[], byte[]>> log(Topic of) {
    String topic = new TopicNames(prefix).of(of);
    Map<String, Object> props = new HashMap<>(kafka.consumerProps());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** Audit events of one type about one session key ({@link #sessionKey}) or resource key. */
  List<AuditEvent> audit(String type, String subject) {
    return audit().stream()
        .filter(e -> e.getType().equals(type))
        .filter(
            e ->
                subject.equals(e.getSessionId()) || subject.equals(e.getKind() + "/" + e.getName()))
        .toList();
  }

  /** Waits until {@code proxy} is ready to serve. */
  void awaitReady(HostPort proxy) {
    Eventually.within(WAIT).until(() -> web().get(proxy, "/readyz").status() == 200);
  }

  /** Waits until {@code proxy} lists {@code kind/name} with {@code healthy} healthy agents. */
  void awaitHealthy(HostPort proxy, String kind, String name, int healthy) {
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Web.Response r = web().get(proxy, "/v1/resources/" + kind + "/" + name);
              assertThat(r.status()).as(r.body()).isEqualTo(200);
              assertThat(r.json().getInteger("healthyAgents")).isEqualTo(healthy);
            });
  }

  /**
   * Waits until {@code proxy} counts {@code n} agents of {@code kind/name} whose checks say their
   * upstream is healthy: until then a target-healthy agent takes every new session before the
   * others (whose targets are still unknown), so a test of how sessions spread waits for this.
   */
  void awaitTargetsHealthy(HostPort proxy, String kind, String name, int n) {
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Web.Response r = web().get(proxy, "/v1/resources/" + kind + "/" + name);
              assertThat(r.status()).as(r.body()).isEqualTo(200);
              assertThat(r.json().getJsonObject("targets").getInteger("healthy", 0))
                  .as(r.body())
                  .isEqualTo(n);
            });
  }

  @Override
  public void close() {
    closer.close(e -> new IllegalStateException("closing the test cluster failed", e));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
