package io.gatehouse.proxy.publish;

import io.gatehouse.events.topic.Topic;
import java.util.concurrent.CompletionStage;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes the proxy's events to the contract's topics. Calls never block the caller on Kafka: the
 * returned stage completes when Kafka acknowledged the record, or fails with a {@link
 * io.gatehouse.proxy.ProxyException} naming the topic and key. Records of one key are written in
 * call order.
 */
public interface EventPublisher extends AutoCloseable {
  /**
   * Publishes {@code value} under {@code key} on {@code topic}; a {@code null} value is a
   * tombstone.
   */
  CompletionStage<Void> publish(Topic topic, String key, SpecificRecord value);

  /**
   * Publishes like {@link #publish(Topic, String, SpecificRecord)}, but to the partition Kafka's
   * default partitioner gives {@code partitionKey} as a key: records under different keys that
   * share a partition key are read back in the order they were written (a join token and the uses
   * claimed of it).
   */
  CompletionStage<Void> publish(Topic topic, String key, String partitionKey, SpecificRecord value);

  /**
   * Waits (at most the publisher's shutdown timeout) for pending records, then releases the client.
   */
  @Override
  void close();
}
