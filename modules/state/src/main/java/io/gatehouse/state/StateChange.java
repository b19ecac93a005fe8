package io.gatehouse.state;

import io.gatehouse.events.topic.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * One change applied to local state, published after it is durable in the store.
 *
 * @param topic the contract topic it came from
 * @param key the record key
 * @param value the decoded new value, or {@code null} when the key was deleted (tombstone)
 * @param partition the Kafka partition, or -1 for a local write
 * @param offset the Kafka offset, or -1 for a local write
 */
public record StateChange(Topic topic, String key, SpecificRecord value, int partition, long offset) {
  public boolean isDelete() {
    return value == null;
  }
}
