package io.gatehouse.bench;

import io.gatehouse.events.topic.TopicBootstrap;
import io.gatehouse.events.topic.TopicNames;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients the load drivers share: topic creation, a bulk and a per-record producer, a
 * consumer.
 */
final class BenchKafka {
  private BenchKafka() {}

  /** Creates the contract's topics under the default prefix, with replication factor 1. */
  static TopicNames ensureTopics(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      new TopicBootstrap(admin, TopicNames.DEFAULT, (short) 1, Duration.ofSeconds(30)).ensure();
    }
    return TopicNames.DEFAULT;
  }

  /** Idempotent, {@code acks=all}, large lz4 batches: for filling topics fast. */
  static KafkaProducer<byte[], byte[]> bulkProducer(String bootstrap) {
    Properties p = base(bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Idempotent, {@code acks=all}, default batching: for records sent one at a time. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        base(bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer without a group, for assigned partitions. */
  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static Properties base(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return p;
  }
}
