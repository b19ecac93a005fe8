package io.gatehouse.state.internals;

import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets poison pills aside: logs each one once with its coordinates and copies it, key and value
 * untouched, to the dead-letter topic with headers naming where it came from and why it failed. The
 * producer is created on first use, so healthy streams cost nothing.
 */
public final class DeadLetters implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  public static final String HEADER_TOPIC = "gatehouse.dlq.topic";
  public static final String HEADER_PARTITION = "gatehouse.dlq.partition";
  public static final String HEADER_OFFSET = "gatehouse.dlq.offset";
  public static final String HEADER_REASON = "gatehouse.dlq.reason";
  public static final String HEADER_SOURCE = "gatehouse.dlq.source";

  private final KafkaSettings kafka;
  private final String topic;
  private final String source;
  private final Duration timeout;
  private KafkaProducer<byte[], byte[]> producer;

  /**
   * @param kafka the cluster; its client id says who sets records aside (this process's id), in a
   *     header
   * @param topic the dead-letter topic, or {@code null} to only log and count
   */
  public DeadLetters(KafkaSettings kafka, String topic, Duration timeout) {
    this.kafka = kafka;
    this.topic = topic;
    this.source = kafka.clientId();
    this.timeout = timeout;
  }

  /** Logs and copies one undecodable record; never throws. */
  public void setAside(ConsumerRecord<byte[], byte[]> record, String reason) {
    LOG.warn(
        "poison pill at {}-{}@{} set aside{}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        topic == null ? "" : " to " + topic,
        reason);
    if (topic == null) {
      return;
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_TOPIC, utf8(record.topic()));
    headers.add(HEADER_PARTITION, utf8(String.valueOf(record.partition())));
    headers.add(HEADER_OFFSET, utf8(String.valueOf(record.offset())));
    headers.add(HEADER_REASON, utf8(reason.length() > 1000 ? reason.substring(0, 1000) : reason));
    headers.add(HEADER_SOURCE, utf8(source));
    try {
      producer()
          .send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error(
          "could not copy poison pill {}-{}@{} to {}: {}; it stays only in its topic",
          record.topic(),
          record.partition(),
          record.offset(),
          topic,
          e.toString());
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      // A copy blocks the materializer thread: bound the wait for metadata or buffer space.
      producer =
          KafkaClients.producer(
              kafka.forClient("deadletters"),
              Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis())));
    }
    return producer;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
      producer = null;
    }
  }
}
