package io.gatehouse.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicBootstrap;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.state.internals.DeadLetters;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

class MaterializerIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> TABLES =
      Topic.MATERIALIZED.stream().map(Topic::suffix).toList();

  @TempDir Path dir;
  private TopicNames names;

  @BeforeEach
  void topics() {
    names = new TopicNames(kafka.uniquePrefix("mat").replaceAll("\\.$", ""));
    new TopicBootstrap(kafka.admin(), names, TopicReplication.SINGLE, Duration.ofSeconds(30))
        .ensure();
  }

  @Test
  void materializes100kRecordsThenRestartResumesWithoutReplay() {
    int resources = 25_000;
    int agents = 4;
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      // 100k records; every key is written twice so the last value must win.
      for (int round = 0; round < 2; round++) {
        for (int r = 0; r < resources / 2; r++) {
          for (int a = 0; a < agents; a++) {
            ResourceHeartbeat hb = Events.heartbeat("app", "res-" + r, "agent-" + a, round);
            producer.send(
                new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));
          }
        }
      }
      producer.flush();
    }

    Map<String, String> before;
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start()) {
      materializer.caughtUp().block(WAIT);
      assertThat(materializer.appliedRecords()).isEqualTo(100_000);
      before = snapshot(store);
    }
    assertThat(before).hasSize(50_000);
    assertThat(
            EventCodec.RESOURCE_HEARTBEAT
                .decode(before.get("app/res-7/agent-3").getBytes(StandardCharsets.ISO_8859_1))
                .getSequence())
        .isEqualTo(1);

    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start()) {
      materializer.caughtUp().block(WAIT);

      assertThat(materializer.appliedRecords()).as("records re-read after restart").isZero();
      assertThat(snapshot(store)).isEqualTo(before);

      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        ResourceHeartbeat hb = Events.heartbeat("app", "new", "agent-0", 9);
        producer.send(
            new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));
      }
      Eventually.within(WAIT).until(() -> materializer.appliedRecords() == 1);
      assertThat(store.table("heartbeats").get(Keys.bytes("app/new/agent-0"))).isNotNull();
    }
  }

  @Test
  @SuppressWarnings("try") // the materializer only has to run while the test writes
  void tombstoneRemovesTheEntry() {
    ResourceHeartbeat hb = Events.heartbeat("db", "pg", "agent-a", 1);
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start();
        KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(
          new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));
      Eventually.within(WAIT).until(() -> store.table("heartbeats").get(Events.key(hb)) != null);

      producer.send(new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), null));

      Eventually.within(WAIT).until(() -> store.table("heartbeats").get(Events.key(hb)) == null);
    }
  }

  @Test
  void poisonPillIsSetAsideAndLaterRecordsStillApply() {
    ResourceHeartbeat good = Events.heartbeat("app", "before", "a", 1);
    ResourceHeartbeat later = Events.heartbeat("app", "after", "a", 2);
    byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start();
        KafkaProducer<byte[], byte[]> producer = producer()) {
      String topic = names.of(Topic.HEARTBEATS);
      // One partition for all three, so "later" really comes after the pill.
      producer.send(new ProducerRecord<>(topic, 0, Events.key(good), Events.value(good)));
      producer.send(new ProducerRecord<>(topic, 0, Keys.bytes("app/bad/a"), garbage));
      producer.send(new ProducerRecord<>(topic, 0, Events.key(later), Events.value(later)));
      producer.flush();
      // Compacted topics refuse keyless records, so the keyless pill goes to the audit topic.
      producer.send(
          new ProducerRecord<>(
              names.of(Topic.AUDIT), 0, null, "keyless".getBytes(StandardCharsets.UTF_8)));
      producer.flush();

      Eventually.within(WAIT).until(() -> store.table("heartbeats").get(Events.key(later)) != null);
      assertThat(store.table("heartbeats").get(Events.key(good))).isNotNull();
      assertThat(store.table("heartbeats").get(Keys.bytes("app/bad/a"))).isNull();
      Eventually.within(WAIT).until(() -> materializer.poisonPills() == 2);
    }

    List<ConsumerRecord<byte[], byte[]>> dead = readAll(names.of(Topic.DEAD_LETTER), 2);
    ConsumerRecord<byte[], byte[]> first =
        dead.stream()
            .filter(r -> header(r, DeadLetters.HEADER_TOPIC).equals(names.of(Topic.HEARTBEATS)))
            .findFirst()
            .orElseThrow();
    ConsumerRecord<byte[], byte[]> keyless =
        dead.stream()
            .filter(r -> header(r, DeadLetters.HEADER_TOPIC).equals(names.of(Topic.AUDIT)))
            .findFirst()
            .orElseThrow();
    assertThat(first.value()).isEqualTo(garbage);
    assertThat(header(first, DeadLetters.HEADER_TOPIC)).isEqualTo(names.of(Topic.HEARTBEATS));
    assertThat(header(first, DeadLetters.HEADER_PARTITION)).isEqualTo("0");
    assertThat(header(first, DeadLetters.HEADER_OFFSET)).isEqualTo("1");
    assertThat(header(first, DeadLetters.HEADER_REASON)).contains("no Avro single-object header");
    assertThat(header(keyless, DeadLetters.HEADER_REASON)).contains("no key");
  }

  @Test
  void changesArePublishedAfterTheyAreInTheStore() {
    ResourceHeartbeat hb = Events.heartbeat("kube", "prod", "agent-a", 1);
    List<Boolean> inStoreWhenSeen = new CopyOnWriteArrayList<>();
    List<StateChange> seen = new CopyOnWriteArrayList<>();
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store);
        KafkaProducer<byte[], byte[]> producer = producer()) {
      Disposable subscription =
          materializer
              .changes()
              .subscribe(
                  change -> {
                    inStoreWhenSeen.add(
                        store.table(change.topic().suffix()).get(Keys.bytes(change.key())) != null);
                    seen.add(change);
                  });
      materializer.start();
      producer.send(
          new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));

      Eventually.within(WAIT).until(() -> !seen.isEmpty());
      subscription.dispose();
    }
    assertThat(seen)
        .singleElement()
        .satisfies(
            change -> {
              assertThat(change.topic()).isEqualTo(Topic.HEARTBEATS);
              assertThat(change.key()).isEqualTo("kube/prod/agent-a");
              assertThat(change.value()).isEqualTo(hb);
            });
    assertThat(inStoreWhenSeen).containsExactly(true);
  }

  @Test
  void caughtUpMeansEverythingWrittenBeforeStartIsApplied() {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < 1000; i++) {
        ResourceHeartbeat hb = Events.heartbeat("app", "r" + i, "a", i);
        producer.send(
            new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));
      }
    }
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start()) {
      materializer.caughtUp().block(WAIT);

      assertThat(materializer.isCaughtUp()).isTrue();
      assertThat(new TypedStore<>(store.table("heartbeats"), EventCodec.RESOURCE_HEARTBEAT).all())
          .hasSize(1000);
      assertThat(materializer.streamClock().seenUpTo()).isAfter(java.time.Instant.EPOCH);
    }
  }

  @Test
  void typedPrefixScanAnswersAllAgentsOfOneResource() {
    try (StateStore store = StateStore.open(dir, TABLES);
        Materializer materializer = materializer(store).start();
        KafkaProducer<byte[], byte[]> producer = producer()) {
      for (String agent : List.of("a", "b", "c")) {
        for (String name : List.of("demo", "demo2")) {
          ResourceHeartbeat hb = Events.heartbeat("app", name, agent, 1);
          producer.send(
              new ProducerRecord<>(names.of(Topic.HEARTBEATS), Events.key(hb), Events.value(hb)));
        }
      }
      producer.flush();
      Eventually.within(WAIT).until(() -> materializer.appliedRecords() == 6);

      TypedStore<ResourceHeartbeat> heartbeats =
          new TypedStore<>(store.table("heartbeats"), EventCodec.RESOURCE_HEARTBEAT);
      assertThat(heartbeats.scan(Keys.heartbeatPrefix("app", "demo")))
          .extracting(e -> e.value().getAgentId())
          .containsExactly("a", "b", "c");
    }
  }

  private Materializer materializer(StateStore store) {
    return Materializer.builder(
            store,
            KafkaSettings.of(kafka.bootstrapServers()).withClientId("test-" + names.prefix()))
        .topicNames(names)
        .build();
  }

  private KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            kafka.consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Eventually.within(WAIT)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
              });
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Every table as key → value (bytes kept exactly via ISO-8859-1). */
  private static Map<String, String> snapshot(StateStore store) {
    Map<String, String> out = new TreeMap<>();
    for (String table : TABLES) {
      store
          .table(table)
          .scan(
              new byte[0],
              (k, v) -> {
                out.put(
                    table.equals("heartbeats") ? Keys.string(k) : table + ":" + Keys.string(k),
                    new String(v, StandardCharsets.ISO_8859_1));
                return true;
              });
    }
    return out;
  }
}
