package io.gatehouse.agent;

import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything written to one topic, read from the beginning, with tombstones kept visible (a
 * materialized table would just drop the key). Poll it inside an {@code Eventually}.
 */
final class TopicView<T extends SpecificRecord> implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final EventCodec<T> codec;
  private final Map<String, List<Optional<T>>> history = new HashMap<>();

  TopicView(KafkaBrokerExtension kafka, String topic, EventCodec<T> codec) {
    this.codec = codec;
    this.consumer = new KafkaConsumer<>(kafka.consumerProps());
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
      partitions.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what arrived since the last poll and returns this view. */
  TopicView<T> poll() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
      Optional<T> value =
          r.value() == null ? Optional.empty() : Optional.of(codec.decode(r.value()));
      history.computeIfAbsent(Keys.string(r.key()), k -> new ArrayList<>()).add(value);
    }
    return this;
  }

  /** Every value written under {@code key}, in order; empty optionals are tombstones. */
  List<Optional<T>> history(String key) {
    return history.getOrDefault(key, List.of());
  }

  /** The last value of {@code key}: empty when it was tombstoned or never written. */
  Optional<T> latest(String key) {
    List<Optional<T>> h = history(key);
    return h.isEmpty() ? Optional.empty() : h.get(h.size() - 1);
  }

  boolean isTombstoned(String key) {
    List<Optional<T>> h = history(key);
    return !h.isEmpty() && h.get(h.size() - 1).isEmpty();
  }

  /** The keys ever written. */
  java.util.Set<String> keys() {
    return history.keySet();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
