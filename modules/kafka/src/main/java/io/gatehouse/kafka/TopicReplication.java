package io.gatehouse.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How the topics Gatehouse creates are replicated: their replication factor and, when set, their
 * {@code min.insync.replicas} (otherwise the broker's default applies). Only topics created by
 * {@link TopicBootstrap} get these; an existing topic is never altered.
 *
 * @param factor the replication factor, at least 1
 * @param minInsyncReplicas the topics' {@code min.insync.replicas}, from 1 to {@code factor}; empty
 *     leaves the broker's {@code min.insync.replicas}
 */
public record TopicReplication(short factor, OptionalInt minInsyncReplicas) {

  /** One replica, the broker's min ISR: a development broker. */
  public static final TopicReplication SINGLE =
      new TopicReplication((short) 1, OptionalInt.empty());

  public TopicReplication {
    if (factor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1, was " + factor);
    }
    if (minInsyncReplicas.isPresent()
        && (minInsyncReplicas.getAsInt() < 1 || minInsyncReplicas.getAsInt() > factor)) {
      throw new IllegalArgumentException(
          "min.insync.replicas must be between 1 and the replication factor "
              + factor
              + ", was "
              + minInsyncReplicas.getAsInt());
    }
  }

  /** {@code configs} with this replication's {@code min.insync.replicas} added, if it has one. */
  Map<String, String> topicConfigs(Map<String, String> configs) {
    if (minInsyncReplicas.isEmpty()) {
      return configs;
    }
    Map<String, String> all = new HashMap<>(configs);
    all.put("min.insync.replicas", Integer.toString(minInsyncReplicas.getAsInt()));
    return all;
  }

  @Override
  public String toString() {
    return "replication factor "
        + factor
        + minInsyncReplicas.stream()
            .mapToObj(m -> ", min.insync.replicas " + m)
            .findFirst()
            .orElse("");
  }
}
