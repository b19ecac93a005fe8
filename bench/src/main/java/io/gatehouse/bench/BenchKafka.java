package io.gatehouse.bench;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.kafka.TopicSetup;
import io.gatehouse.lifecycle.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka clients the load drivers share, built by the kafka module like the product's: topic
 * creation, a bulk and a per-record producer, a consumer.
 */
final class BenchKafka {
  private BenchKafka() {}

  /** Creates the contract's topics under the default prefix, with replication factor 1. */
  static TopicNames ensureTopics(String bootstrap) {
    new TopicSetup(
            settings(bootstrap).forClient("admin"),
            TopicNames.DEFAULT,
            List.of(Topic.values()),
            TopicReplication.SINGLE)
        .awaitUntil(
            Instant.now().plus(Duration.ofSeconds(30)),
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), new Random()));
    return TopicNames.DEFAULT;
  }

  /** Idempotent, {@code acks=all}, large lz4 batches: for filling topics fast. */
  static KafkaProducer<byte[], byte[]> bulkProducer(String bootstrap) {
    return KafkaClients.producer(
        settings(bootstrap).forClient("bulk"),
        Map.of(
            ProducerConfig.BATCH_SIZE_CONFIG,
            String.valueOf(256 * 1024),
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4"));
  }

  /** Idempotent, {@code acks=all}, default batching: for records sent one at a time. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return KafkaClients.producer(settings(bootstrap).forClient("producer"));
  }

  /** A consumer without a group, for assigned partitions. */
  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return KafkaClients.consumer(settings(bootstrap).forClient("consumer"));
  }

  private static KafkaSettings settings(String bootstrap) {
    return KafkaSettings.of(bootstrap).withClientId("gatehouse-bench");
  }
}
