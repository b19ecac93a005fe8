package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link EmbeddedKafka} nodes of one {@link KafkaQuorum}, as {@code kafka node} runs them.
 */
class KafkaQuorumIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<EmbeddedKafka> nodes = new ArrayList<>();

  /**
   * All at once: a node stopped after the others would wait minutes for a controller to approve its
   * controlled shutdown, the quorum having gone with the other two.
   */
  @AfterEach
  void stopNodes() throws Exception {
    onEachNode(EmbeddedKafka::close, 60);
  }

  @Test
  void threeNodesFormAQuorumWhoseTopicsSurviveTheLossOfOneNode() throws Exception {
    int[] ports = FreePorts.pick(InetAddress.getLoopbackAddress(), 6);
    List<String> controllers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      controllers.add("127.0.0.1:" + ports[3 + i]);
    }
    String clusterId = Uuid.randomUuid().toString();
    for (int id = 1; id <= 3; id++) {
      nodes.add(
          EmbeddedKafka.builder()
              .port(ports[id - 1])
              .dataDir(dir.resolve("node-" + id))
              .quorum(new KafkaQuorum(id, controllers, clusterId, 3, 2))
              .build());
    }
    // Each start returns once the cluster answers, which needs a majority: start them together.
    onEachNode(EmbeddedKafka::start, 90);
    String bootstrap =
        String.join(",", nodes.stream().map(EmbeddedKafka::bootstrapServers).toList());

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
      // No replication factor given: the cluster's default applies, with its min ISR.
      admin
          .createTopics(
              List.of(new NewTopic("orders", java.util.Optional.of(1), java.util.Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      awaitTrue(() -> isr(admin, "orders") == 3);
      assertThat(describe(admin, "orders").partitions().get(0).replicas()).hasSize(3);
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
      Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");

      try (KafkaProducer<String, String> producer = producer(bootstrap)) {
        producer.send(new ProducerRecord<>("orders", "k1", "before")).get(30, TimeUnit.SECONDS);
        int leader = describe(admin, "orders").partitions().get(0).leader().id();
        EmbeddedKafka lost = nodes.get(leader - 1);
        lost.stop();

        // acks=all with two of three replicas in sync: still acknowledged.
        producer.send(new ProducerRecord<>("orders", "k2", "during")).get(30, TimeUnit.SECONDS);
        assertThat(consume(bootstrap, "orders", 2)).containsExactly("k1=before", "k2=during");

        lost.start();
        awaitTrue(() -> isr(admin, "orders") == 3);
        producer.send(new ProducerRecord<>("orders", "k3", "after")).get(30, TimeUnit.SECONDS);
      }
      assertThat(consume(bootstrap, "orders", 3))
          .containsExactly("k1=before", "k2=during", "k3=after");
    }
  }

  /**
   * Runs {@code step} on every node at once, a thread each (the common pool has one thread on two
   * cores, which would run them in turn), within {@code seconds}.
   */
  private void onEachNode(java.util.function.Consumer<EmbeddedKafka> step, int seconds)
      throws Exception {
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, nodes.size()));
    try {
      CompletableFuture.allOf(
              nodes.stream()
                  .map(n -> CompletableFuture.runAsync(() -> step.accept(n), threads))
                  .toArray(CompletableFuture[]::new))
          .get(seconds, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
  }

  private static TopicDescription describe(Admin admin, String topic) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(topic);
    } catch (Exception e) {
      throw new AssertionError("cannot describe " + topic, e);
    }
  }

  /** The in-sync replicas of the topic's partition; 0 while a node does not know the topic yet. */
  private static int isr(Admin admin, String topic) {
    try {
      return describe(admin, topic).partitions().get(0).isr().size();
    } catch (AssertionError e) {
      // Just created, or a node just back: its metadata may not hold the topic for a moment.
      if (e.getCause() instanceof java.util.concurrent.ExecutionException x
          && x.getCause()
              instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return 0;
      }
      throw e;
    }
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", WAIT).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static List<String> consume(String bootstrap, String topic, int count) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (seen.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + r.value());
        }
      }
    }
    return seen;
  }
}
