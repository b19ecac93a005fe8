package io.gatehouse.state;

import io.gatehouse.events.topic.Topic;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One change applied to local state, published after it is durable in the store. The value is
 * decoded on first use, so subscribers that only look at keys pay nothing for it.
 */
public final class StateChange {
  private final Topic topic;
  private final String key;
  private final byte[] bytes;
  private final int partition;
  private final long offset;
  private SpecificRecord value;

  /**
   * @param bytes the encoded value, or {@code null} when the key was deleted (tombstone)
   * @param partition the Kafka partition, or -1 for a local write
   * @param offset the Kafka offset, or -1 for a local write
   */
  public StateChange(Topic topic, String key, byte[] bytes, int partition, long offset) {
    this.topic = topic;
    this.key = key;
    this.bytes = bytes;
    this.partition = partition;
    this.offset = offset;
  }

  public Topic topic() {
    return topic;
  }

  public String key() {
    return key;
  }

  /** The decoded new value, or {@code null} for a delete. */
  public synchronized SpecificRecord value() {
    if (value == null && bytes != null) {
      value = topic.codec().decode(bytes);
    }
    return value;
  }

  /** The encoded value exactly as stored (single-object Avro), or {@code null} for a delete. */
  public byte[] bytes() {
    return bytes;
  }

  public boolean isDelete() {
    return bytes == null;
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateChange c
        && topic == c.topic
        && key.equals(c.key)
        && java.util.Arrays.equals(bytes, c.bytes)
        && partition == c.partition
        && offset == c.offset;
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, key, partition, offset);
  }

  @Override
  public String toString() {
    return "StateChange["
        + topic.suffix()
        + " "
        + key
        + (isDelete() ? " deleted" : "")
        + " @"
        + partition
        + ":"
        + offset
        + "]";
  }
}
