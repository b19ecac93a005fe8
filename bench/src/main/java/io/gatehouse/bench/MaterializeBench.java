package io.gatehouse.bench;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

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
      TopicNames names = BenchKafka.ensureTopics(kafka.bootstrapServers());
      long produceNanos = produce(kafka.bootstrapServers(), names, fleet);
      report("produce", fleet.size(), produceNanos);

      List<Double> rates = new ArrayList<>();
      List<Double> restarts = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Path dir = work.resolve("round-" + round);
        long started = System.nanoTime();
        long applied;
        try (StateStore store = Fleet.open(dir);
            Materializer m = caughtUp(store, kafka.bootstrapServers())) {
          applied = m.appliedRecords();
        }
        long nanos = System.nanoTime() - started;
        rates.add(applied / (nanos / 1e9));
        report("materialize", applied, nanos);

        started = System.nanoTime();
        try (StateStore store = Fleet.open(dir);
            Materializer m = caughtUp(store, kafka.bootstrapServers())) {
          nanos = System.nanoTime() - started;
          if (m.appliedRecords() != 0) {
            throw new IllegalStateException("restart re-read " + m.appliedRecords() + " records");
          }
        }
        restarts.add(nanos / 1e6);
        System.out.printf(
            "{\"scenario\":\"restart\",\"storedRecords\":%d,\"millis\":%.1f}%n",
            applied, nanos / 1e6);
      }
      System.out.printf(
          "{\"scenario\":\"summary\",\"records\":%d,\"materializeRecordsPerSecMedian\":%.0f,\"restartToCaughtUpMillisMedian\":%.1f,\"cores\":%d,\"jvm\":\"%s\"}%n",
          fleet.size(),
          Stats.median(rates),
          Stats.median(restarts),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.version"));
    } finally {
      FileTree.delete(work);
    }
  }

  /** A materializer on {@code store}, started and caught up with every topic. */
  private static Materializer caughtUp(StateStore store, String bootstrap) {
    Materializer m =
        Materializer.builder(store, KafkaSettings.of(bootstrap).withClientId("bench"))
            .build()
            .start();
    try {
      m.caughtUp().block(Duration.ofMinutes(5));
      return m;
    } catch (RuntimeException e) {
      m.close(); // the caller's try-with-resources never sees it
      throw e;
    }
  }

  private static long produce(String bootstrap, TopicNames names, Fleet fleet) {
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = BenchKafka.bulkProducer(bootstrap)) {
      fleet.produce(producer, names);
    }
    return System.nanoTime() - started;
  }

  private static void report(String scenario, long records, long nanos) {
    System.out.printf(
        "{\"scenario\":\"%s\",\"records\":%d,\"seconds\":%.3f,\"recordsPerSec\":%.0f}%n",
        scenario, records, nanos / 1e9, records / (nanos / 1e9));
  }
}
