package io.gatehouse.bench;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicBootstrap;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Load driver for the state backbone: produces a fleet's heartbeats to an embedded broker, then
 * times (1) materialization from an empty store to "caught up" and (2) restart of a full store to
 * "caught up". Prints one JSON object per line.
 */
final class MaterializeBench {
  private MaterializeBench() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Fleet fleet = new Fleet(records / 10, 10);
    Path work = Files.createTempDirectory("gatehouse-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      TopicNames names = TopicNames.DEFAULT;
      Properties adminProps = new Properties();
      adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(adminProps)) {
        new TopicBootstrap(admin, names, (short) 1, Duration.ofSeconds(30)).ensure();
      }
      long produceNanos = produce(kafka.bootstrapServers(), names, fleet);
      report("produce", fleet.size(), produceNanos);

      List<Double> rates = new ArrayList<>();
      List<Double> restarts = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Path dir = work.resolve("round-" + round);
        long started = System.nanoTime();
        long applied;
        try (StateStore store = open(dir);
            Materializer m = Materializer.builder(store, kafka.bootstrapServers()).clientId("bench").build().start()) {
          m.caughtUp().block(Duration.ofMinutes(5));
          applied = m.appliedRecords();
        }
        long nanos = System.nanoTime() - started;
        rates.add(applied / (nanos / 1e9));
        report("materialize", applied, nanos);

        started = System.nanoTime();
        try (StateStore store = open(dir);
            Materializer m = Materializer.builder(store, kafka.bootstrapServers()).clientId("bench").build().start()) {
          m.caughtUp().block(Duration.ofMinutes(5));
          nanos = System.nanoTime() - started;
          if (m.appliedRecords() != 0) {
            throw new IllegalStateException("restart re-read " + m.appliedRecords() + " records");
          }
        }
        restarts.add(nanos / 1e6);
        System.out.printf("{\"scenario\":\"restart\",\"storedRecords\":%d,\"millis\":%.1f}%n", applied, nanos / 1e6);
      }
      System.out.printf(
          "{\"scenario\":\"summary\",\"records\":%d,\"materializeRecordsPerSecMedian\":%.0f,\"restartToCaughtUpMillisMedian\":%.1f,\"cores\":%d,\"jvm\":\"%s\"}%n",
          fleet.size(), median(rates), median(restarts), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    } finally {
      Fleet.delete(work);
    }
  }

  private static StateStore open(Path dir) {
    return Fleet.open(dir);
  }

  private static long produce(String bootstrap, TopicNames names, Fleet fleet) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      String topic = names.of(Topic.HEARTBEATS);
      for (int r = 0; r < fleet.resources; r++) {
        for (int a = 0; a < fleet.agents; a++) {
          producer.send(new ProducerRecord<>(topic, fleet.key(r, a), fleet.value(r, a, 1)));
        }
      }
      producer.flush();
    }
    return System.nanoTime() - started;
  }

  private static void report(String scenario, long records, long nanos) {
    System.out.printf(
        "{\"scenario\":\"%s\",\"records\":%d,\"seconds\":%.3f,\"recordsPerSec\":%.0f}%n",
        scenario, records, nanos / 1e9, records / (nanos / 1e9));
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

}
