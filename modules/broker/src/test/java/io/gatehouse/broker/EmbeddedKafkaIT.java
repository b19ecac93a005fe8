package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void recordProducedOnFreePortCanBeConsumed() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      assertThat(kafka.isRunning()).isTrue();
      assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");

      createTopic(kafka, new NewTopic("greetings", 1, (short) 1));
      produce(kafka, "greetings", "k", "hello");

      assertThat(consume(kafka, "greetings", 1)).containsExactly("k=hello");
    }
  }

  @Test
  void compactedTopicCanBeCreated() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
        Admin admin = admin(kafka)) {
      NewTopic topic =
          new NewTopic("latest-state", 3, (short) 1)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(topic)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "latest-state");
      // The controller has committed the topic; the broker applies that metadata a moment later.
      awaitTrue(() -> knows(admin, resource));
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
      assertThat(
              admin
                  .describeTopics(List.of("latest-state"))
                  .allTopicNames()
                  .get()
                  .get("latest-state")
                  .partitions())
          .hasSize(3);
    }
  }

  @Test
  void restartOnSamePortKeepsTopicsAndRecords(@TempDir Path dataDir) throws Exception {
    String address;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dataDir).build().start()) {
      address = kafka.bootstrapServers();
      createTopic(kafka, new NewTopic("durable", 1, (short) 1));
      produce(kafka, "durable", "a", "1");

      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      kafka.start();

      assertThat(kafka.bootstrapServers()).isEqualTo(address);
      produce(kafka, "durable", "b", "2");
      assertThat(consume(kafka, "durable", 2)).containsExactly("a=1", "b=2");
    }
    assertThat(dataDir).isNotEmptyDirectory();

    try (EmbeddedKafka successor = EmbeddedKafka.builder().dataDir(dataDir).build().start()) {
      assertThat(consume(successor, "durable", 2)).containsExactly("a=1", "b=2");
    }
  }

  @Test
  void closeDeletesTemporaryDataDir() {
    EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
    Path dataDir = kafka.dataDir();
    assertThat(dataDir).isNotEmptyDirectory();

    kafka.close();

    assertThat(kafka.isRunning()).isFalse();
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void closeAndStopAreIdempotentAndClosedBrokerCannotStart() {
    EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();
    kafka.stop();
    kafka.stop();
    kafka.close();

    assertThatCode(kafka::close).doesNotThrowAnyException();
    assertThatCode(kafka::stop).doesNotThrowAnyException();
    assertThatThrownBy(kafka::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void twoBrokersRunAtOnceOnDifferentPorts() throws Exception {
    try (EmbeddedKafka first = EmbeddedKafka.builder().build().start();
        EmbeddedKafka second = EmbeddedKafka.builder().build().start()) {
      assertThat(first.bootstrapServers()).isNotEqualTo(second.bootstrapServers());

      createTopic(first, new NewTopic("shared-name", 1, (short) 1));
      createTopic(second, new NewTopic("shared-name", 1, (short) 1));
      produce(first, "shared-name", "from", "first");
      produce(second, "shared-name", "from", "second");

      assertThat(consume(first, "shared-name", 1)).containsExactly("from=first");
      assertThat(consume(second, "shared-name", 1)).containsExactly("from=second");
    }
  }

  @Test
  void startOnTakenPortFailsWithoutLeavingThreadsAndCloseStillWorks() throws IOException {
    Set<Thread> before = liveNonDaemonThreads();
    try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = squatter.getLocalPort();
      EmbeddedKafka kafka = EmbeddedKafka.builder().port(port).build();

      assertThatThrownBy(kafka::start)
          .isInstanceOf(EmbeddedKafkaException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("failed to start");
      assertThat(kafka.isRunning()).isFalse();
      Path dataDir = kafka.dataDir();

      awaitTrue(() -> liveNonDaemonThreads().stream().allMatch(before::contains));
      assertThatCode(kafka::close).doesNotThrowAnyException();
      assertThat(dataDir).doesNotExist();
    }
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition still false after %s", WAIT).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Whether the broker describes {@code resource} yet (not "unknown topic"). */
  private static boolean knows(Admin admin, ConfigResource resource) {
    try {
      admin.describeConfigs(List.of(resource)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return false;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static void createTopic(EmbeddedKafka kafka, NewTopic topic) throws Exception {
    try (Admin admin = admin(kafka)) {
      admin.createTopics(List.of(topic)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static void produce(EmbeddedKafka kafka, String topic, String key, String value)
      throws InterruptedException, ExecutionException {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Reads partition 0 of {@code topic} from the start until {@code count} records arrived. */
  private static List<String> consume(EmbeddedKafka kafka, String topic, int count) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            "false");
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
          records.add(record.key() + "=" + record.value());
        }
      }
    }
    return records;
  }
}
