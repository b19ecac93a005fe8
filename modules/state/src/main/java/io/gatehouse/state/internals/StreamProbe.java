package io.gatehouse.state.internals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides how far this process has seen the stream. Every {@code interval} it asks the broker for
 * the end offsets, remembering the time {@code T} it asked at; once the consumer's positions reach
 * those offsets, everything written before {@code T} has been applied and {@code seenUpTo} becomes
 * {@code T}. A broker that does not answer leaves {@code seenUpTo} where it was.
 *
 * <p>Used only from the materializer thread; {@link #seenUpTo()} and {@link #reachable()} may be
 * read from any thread.
 */
public final class StreamProbe {
  private final Clock clock;
  private final Duration interval;
  private final Duration timeout;
  private volatile Instant seenUpTo = Instant.EPOCH;
  private volatile boolean reachable;
  private volatile Map<String, Long> lagByTopic = Map.of();
  private Instant lastAsked = Instant.EPOCH;
  private Instant pendingAt;
  private Map<TopicPartition, Long> pendingEnds;

  public StreamProbe(Clock clock, Duration interval, Duration timeout) {
    this.clock = clock;
    this.interval = interval;
    this.timeout = timeout;
  }

  /**
   * Asks for end offsets when due and advances {@code seenUpTo} when the positions reach them.
   *
   * @param position the applied position of a partition
   * @return true when this call advanced {@code seenUpTo}
   */
  public boolean probe(
      Consumer<?, ?> consumer,
      Set<TopicPartition> partitions,
      ToLongFunction<TopicPartition> position) {
    Instant now = clock.instant();
    if (pendingEnds == null && !now.isBefore(lastAsked.plus(interval))) {
      try {
        pendingEnds = consumer.endOffsets(partitions, timeout);
        pendingAt = now;
        lastAsked = now;
        reachable = true;
      } catch (KafkaException e) {
        // Unanswered: ask again on the next loop (each attempt waits up to the timeout).
        reachable = false;
        return false;
      }
    }
    if (pendingEnds == null) {
      return false;
    }
    long behind = 0;
    Map<String, Long> byTopic = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> end : pendingEnds.entrySet()) {
      long partitionLag = Math.max(0, end.getValue() - position.applyAsLong(end.getKey()));
      byTopic.merge(end.getKey().topic(), partitionLag, Long::sum);
      behind += partitionLag;
    }
    lagByTopic = byTopic;
    if (behind > 0) {
      return false;
    }
    seenUpTo = pendingAt;
    pendingEnds = null;
    return true;
  }

  public Instant seenUpTo() {
    return seenUpTo;
  }

  /** Whether the last end-offset request was answered. */
  public boolean reachable() {
    return reachable;
  }

  /**
   * Records of {@code topic} between the applied positions and the last end offsets asked for; -1
   * before the first answer that covered the topic.
   */
  public long lag(String topic) {
    return lagByTopic.getOrDefault(topic, -1L);
  }
}
