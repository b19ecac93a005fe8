package io.gatehouse.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds every Kafka client Gatehouse uses from one {@link KafkaSettings}, so what every client of
 * a kind needs is written once. Properties are layered: the kind's defaults below, then the
 * caller's {@code tuning} (what one use needs, e.g. how long a send may block its thread), then the
 * settings' extra properties, which win so an operator can override anything but the bootstrap, the
 * client id and the serializers.
 *
 * <p>Keys and values are bytes everywhere: records are single-object Avro encoded by the events
 * codec, and a reader must see an undecodable value to set it aside.
 */
public final class KafkaClients {
  private KafkaClients() {}

  /**
   * An idempotent producer ({@code enable.idempotence=true}, {@code acks=all}): a record is written
   * once, in order, and acknowledged only when every in-sync replica has it. {@code linger.ms=5}
   * batches bursts (a heartbeat refresh, an audit spike) at a cost nobody notices.
   */
  public static KafkaProducer<byte[], byte[]> producer(KafkaSettings settings) {
    return producer(settings, Map.of());
  }

  /** {@link #producer(KafkaSettings)} with properties one use needs on top of the defaults. */
  public static KafkaProducer<byte[], byte[]> producer(
      KafkaSettings settings, Map<String, String> tuning) {
    return new KafkaProducer<>(
        producerConfig(settings, tuning), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A consumer for {@code assign()}: no group, nothing committed (readers keep their positions
   * themselves, e.g. the materializer in RocksDB), reading from the earliest offset when it has
   * none, and never creating a topic by asking for its metadata: topics are created on purpose by
   * {@link TopicSetup}, with the contract's settings.
   */
  public static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings settings) {
    return consumer(settings, Map.of());
  }

  /** {@link #consumer(KafkaSettings)} with properties one use needs on top of the defaults. */
  public static KafkaConsumer<byte[], byte[]> consumer(
      KafkaSettings settings, Map<String, String> tuning) {
    return new KafkaConsumer<>(
        consumerConfig(settings, tuning), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * An admin client whose calls fail within 10 s ({@code default.api.timeout.ms}), each request
   * within 5 s, so a caller retrying against an unreachable cluster learns of it soon.
   */
  public static Admin admin(KafkaSettings settings) {
    return Admin.create(adminConfig(settings));
  }

  static Map<String, Object> producerConfig(KafkaSettings settings, Map<String, String> tuning) {
    Map<String, Object> p = common(settings);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return layered(p, tuning, settings);
  }

  static Map<String, Object> consumerConfig(KafkaSettings settings, Map<String, String> tuning) {
    Map<String, Object> p = common(settings);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    return layered(p, tuning, settings);
  }

  static Map<String, Object> adminConfig(KafkaSettings settings) {
    Map<String, Object> p = common(settings);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return layered(p, Map.of(), settings);
  }

  private static Map<String, Object> common(KafkaSettings settings) {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, settings.clientId());
    return p;
  }

  private static Map<String, Object> layered(
      Map<String, Object> defaults, Map<String, String> tuning, KafkaSettings settings) {
    defaults.putAll(tuning);
    defaults.putAll(settings.properties());
    // The tuning map is the caller's, unchecked by KafkaSettings: the owned keys are set last.
    defaults.putAll(common(settings));
    return defaults;
  }
}
