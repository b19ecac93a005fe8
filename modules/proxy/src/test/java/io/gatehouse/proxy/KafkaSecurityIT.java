package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaAcls;
import io.gatehouse.kafka.KafkaAcls.Role;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.KafkaSecurity.Scram;
import io.gatehouse.kafka.KafkaSecurity.ScramMechanism;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Threat #3 closed on a real SASL_SSL broker with real TLS: the proxy, logged in as its own SCRAM
 * user with the proxy role's ACLs, sets up its topics and serves; a user with valid credentials but
 * no ACLs (what a forged agent would have) can neither write heartbeats or agent beats nor read
 * session pins; the audit reader reads the audit stream and writes nothing.
 */
class KafkaSecurityIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PROXY_USER = "gatehouse-proxy";
  private static final String PROXY_PASSWORD = "proxy-pw-5f1c9a";
  private static final String INTRUDER_PASSWORD = "intruder-pw-77e0b2";
  private static final String AUDIT_PASSWORD = "audit-pw-0c3d41";

  @RegisterExtension
  static final KafkaBrokerExtension kafka =
      KafkaBrokerExtension.saslSsl(
          Map.of(
              PROXY_USER,
              PROXY_PASSWORD,
              "intruder",
              INTRUDER_PASSWORD,
              "audit-reader",
              AUDIT_PASSWORD));

  @TempDir static Path dir;

  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

  /** Where Kafka logs a client's config when the client starts. */
  private static final Logger CONFIG_LOGGER =
      (Logger) LoggerFactory.getLogger("org.apache.kafka.common.config.AbstractConfig");

  private static Level configLevel;
  private static TopicNames names;
  private static Proxy proxy;
  private static final Web web = new Web();

  @BeforeAll
  static void startTheProxyWithItsAcls() throws Exception {
    // Kafka logs every client's config at INFO ("ProducerConfig values: ..."): capture it too.
    configLevel = CONFIG_LOGGER.getLevel();
    CONFIG_LOGGER.setLevel(Level.INFO);
    LOG.start();
    root().addAppender(LOG);

    names = new TopicNames(kafka.uniquePrefix("secure").replaceAll("\\.$", ""));
    new KafkaAcls("User:" + PROXY_USER, Role.PROXY, names).apply(kafka.admin());
    new KafkaAcls("User:audit-reader", Role.AUDIT_READER, names).apply(kafka.admin());

    Path caDir = dir.resolve("ca");
    web.trust(ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom()).certificate());
    Path passwordFile = Files.writeString(dir.resolve("kafka-password"), PROXY_PASSWORD + "\n");
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: secure-proxy
              kafka:
                bootstrap: "%s"
                security:
                  protocol: SASL_SSL
                  ca_file: "%s"
                  sasl: { mechanism: SCRAM-SHA-512, username: %s, password_file: "%s" }
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:0"
              topic_prefix: %s
            """
                .formatted(
                    kafka.bootstrapServers(),
                    kafka.caFile(),
                    PROXY_USER,
                    passwordFile,
                    dir.resolve("proxy"),
                    caDir,
                    names.prefix()),
            "proxy.yaml");
    proxy = Proxy.start(config);
    web.tls(proxy.webAddress());
    // The API's calls go as an admin, written through the proxy's own (SASL_SSL) producer.
    Eventually.within(WAIT).until(proxy::isReady);
    proxy
        .accounts()
        .put("admin", java.util.List.of("admin"), null, "test")
        .toCompletableFuture()
        .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    Eventually.within(WAIT).until(() -> proxy.accounts().knows("admin"));
    web.bearer(proxy.accounts().credential("admin", java.time.Duration.ofHours(1)));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (proxy != null) {
        proxy.close();
      }
      web.close();
    } finally {
      root().detachAppender(LOG);
      CONFIG_LOGGER.setLevel(configLevel);
    }
  }

  @Test
  void theProxyCreatesItsTopicsBecomesReadyAndWritesAndReadsThem() throws Exception {
    Eventually.within(WAIT).until(proxy::isReady);
    assertThat(kafka.admin().listTopics().names().get())
        .contains(names.of(Topic.HEARTBEATS), names.of(Topic.AGENTS), names.of(Topic.SESSIONS));

    String yaml =
        """
        kind: app
        version: v1
        metadata: { name: guarded, labels: { env: secure } }
        spec: { uri: "http://127.0.0.1:9" }
        """;
    Web.Response created = web.post(proxy.webAddress(), "/v1/resources", "application/yaml", yaml);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(web.get(proxy.webAddress(), "/v1/resources/app/guarded").status())
                    .isEqualTo(200));
  }

  @Test
  void anIntruderWithValidCredentialsButNoAclsCannotWriteHeartbeatsOrAgentBeats() {
    Eventually.within(WAIT).until(proxy::isReady);
    Instant now = Instant.now();
    ResourceHeartbeat heartbeat =
        ResourceHeartbeat.newBuilder()
            .setKind("app")
            .setName("guarded")
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build())
            .setAgentId("forged")
            .setAgentAddress("127.0.0.1:9")
            .setOrigin("static")
            .setSequence(1)
            .setTime(now)
            .setTtlMillis(Duration.ofDays(3650).toMillis())
            .build();
    AgentBeat beat =
        AgentBeat.newBuilder()
            .setAgentId("forged")
            .setAddress("127.0.0.1:9")
            .setVersion("forged")
            .setTime(now)
            .setTtlMillis(Duration.ofDays(3650).toMillis())
            .setStartedAt(now)
            .build();

    try (KafkaProducer<byte[], byte[]> intruder = producer("intruder")) {
      assertRefused(
          intruder,
          new ProducerRecord<>(
              names.of(Topic.HEARTBEATS),
              Keys.bytes(Keys.heartbeat("app", "guarded", "forged")),
              EventCodec.RESOURCE_HEARTBEAT.encode(heartbeat)));
      assertRefused(
          intruder,
          new ProducerRecord<>(
              names.of(Topic.AGENTS), Keys.bytes("forged"), EventCodec.AGENT_BEAT.encode(beat)));
    }
  }

  @Test
  void anIntruderCannotReadSessionPins() {
    Eventually.within(WAIT).until(proxy::isReady);
    assertReadRefused("intruder", names.of(Topic.SESSIONS));
  }

  @Test
  void theAuditReaderReadsTheAuditStreamButCannotWriteItOrReadPins() throws Exception {
    Eventually.within(WAIT).until(proxy::isReady);
    String audit = names.of(Topic.AUDIT);
    Web.Response created =
        web.post(
            proxy.webAddress(),
            "/v1/resources",
            "application/yaml",
            """
            kind: app
            version: v1
            metadata: { name: audited }
            spec: { uri: "http://127.0.0.1:9" }
            """);
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(readAll("audit-reader", audit))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getName()).isEqualTo("audited");
                          assertThat(e.getProxyId()).isEqualTo("secure-proxy");
                        }));

    try (KafkaProducer<byte[], byte[]> reader = producer("audit-reader")) {
      assertRefused(reader, new ProducerRecord<>(audit, Keys.bytes("forged"), new byte[] {0}));
    }
    assertReadRefused("audit-reader", names.of(Topic.SESSIONS));
  }

  @Test
  void aWrongPasswordFailsAuthenticationWithoutShowingAnyPassword() {
    String wrong = "wrong-pw-" + System.nanoTime();
    KafkaSettings settings =
        KafkaSettings.of(kafka.bootstrapServers())
            .withClientId("wrong-password")
            .withSecurity(
                KafkaSecurity.saslSsl(
                    kafka.caFile(), new Scram(ScramMechanism.SCRAM_SHA_512, PROXY_USER, wrong)));

    try (Admin admin = KafkaClients.admin(settings)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(WAIT.toMillis(), MILLIS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class)
          .satisfies(
              e ->
                  assertThat(e.getCause().getMessage())
                      .contains("Authentication failed")
                      .doesNotContain(wrong, PROXY_PASSWORD));
    }
    assertThat(settings.toString()).doesNotContain(wrong);
  }

  @Test
  void noLogLineShowsAPassword() {
    Eventually.within(WAIT).until(proxy::isReady);
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(LOG.list)) {
      lines.add(
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(e.getThrowableProxy())));
    }
    assertThat(lines)
        .as("the client configs Kafka logged")
        .anyMatch(l -> l.contains("sasl.jaas.config = [hidden]"));
    assertThat(lines)
        .noneMatch(
            l ->
                l.contains(PROXY_PASSWORD)
                    || l.contains(INTRUDER_PASSWORD)
                    || l.contains(AUDIT_PASSWORD));
  }

  private static final TimeUnit MILLIS = TimeUnit.MILLISECONDS;

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /**
   * A producer as an intruder would write one: not idempotent, so the refusal comes from the
   * topic's ACL and not from the cluster's idempotent-write check.
   */
  private static KafkaProducer<byte[], byte[]> producer(String user) {
    Map<String, Object> props = kafka.clientProps(user);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String user) {
    return new KafkaConsumer<>(
        kafka.clientProps(user), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<AuditEvent> readAll(String user, String topic) {
    List<AuditEvent> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> reader = consumer(user)) {
      List<TopicPartition> partitions =
          reader.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = reader.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          events.add(EventCodec.AUDIT_EVENT.decode(r.value()));
        }
      }
    }
    return events;
  }

  private static void assertRefused(
      KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
    assertThatThrownBy(() -> producer.send(record).get(WAIT.toMillis(), MILLIS))
        .as("writing to %s", record.topic())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TopicAuthorizationException.class);
  }

  private static void assertReadRefused(String user, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(user)) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      assertThatThrownBy(
              () -> {
                // The refusal arrives with the first metadata or fetch answer.
                while (System.nanoTime() < deadline) {
                  consumer.poll(Duration.ofMillis(200));
                }
              })
          .as("%s reading %s", user, topic)
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }
}
