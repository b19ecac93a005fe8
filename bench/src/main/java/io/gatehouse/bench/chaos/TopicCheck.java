package io.gatehouse.bench.chaos;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.pki.ClusterSecret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * "Nothing lost", read back from the topics rather than trusted from counters: every HTTP session a
 * client was given has its {@code session.start} audit event and its pin on {@code
 * gatehouse.sessions} (by its key, the HMAC of the session id under the cluster secret), every TCP
 * tunnel that opened has a {@code session.start} of the echo app, and every resource the API
 * acknowledged is on {@code gatehouse.resources}.
 */
final class TopicCheck {
  /** What was missing; all zero means nothing was lost. */
  record Lost(int sessionStarts, int pins, int tcpStarts, int resources) {
    int total() {
      return sessionStarts + pins + tcpStarts + resources;
    }

    @Override
    public String toString() {
      return total() == 0
          ? "0"
          : total()
              + " ("
              + sessionStarts
              + " session.start, "
              + pins
              + " pins, "
              + tcpStarts
              + " TCP session.start, "
              + resources
              + " resources)";
    }
  }

  private final KafkaSettings kafka;
  private final ClusterSecret secret;
  private final TopicNames names = TopicNames.DEFAULT;

  TopicCheck(KafkaSettings kafka, ClusterSecret secret) {
    this.kafka = kafka;
    this.secret = secret;
  }

  /**
   * Reads the topics and compares; retries for up to {@code patience} while something is missing,
   * as the proxies' producers may still be sending the last records.
   */
  Lost check(ClientLoad load, long tcpOpened, long sinceMillis, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      Lost lost = once(load, tcpOpened, sinceMillis);
      if (lost.total() == 0 || System.nanoTime() > deadline) {
        return lost;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    }
  }

  private Lost once(ClientLoad load, long tcpOpened, long sinceMillis) {
    Set<String> started = new HashSet<>();
    long[] tcpStarts = {0};
    EventCodec<AuditEvent> audit = EventCodec.AUDIT_EVENT;
    read(
        Topic.AUDIT,
        r -> {
          if (r.value() == null) {
            return;
          }
          AuditEvent e = audit.decode(r.value());
          if (!"session.start".equals(e.getType())) {
            return;
          }
          started.add(String.valueOf(e.getSessionId()));
          if ("echo".equals(String.valueOf(e.getName()))
              && e.getTime().toEpochMilli() >= sinceMillis) {
            tcpStarts[0]++;
          }
        });
    Map<String, Boolean> pins = latest(Topic.SESSIONS);
    Map<String, Boolean> resources = latest(Topic.RESOURCES);
    int missingStarts = 0;
    int missingPins = 0;
    for (String id : load.sessionIds) {
      String key = secret.hash(ClusterSecret.Purpose.SESSION, id);
      if (!started.contains(key)) {
        missingStarts++;
      }
      if (!pins.getOrDefault(key, false)) {
        missingPins++;
      }
    }
    int missingResources = 0;
    for (String key : load.resources) {
      if (!resources.getOrDefault(key, false)) {
        missingResources++;
      }
    }
    return new Lost(
        missingStarts, missingPins, (int) Math.max(0, tcpOpened - tcpStarts[0]), missingResources);
  }

  /** Each key's latest state: true for a value, false for a tombstone. */
  private Map<String, Boolean> latest(Topic topic) {
    Map<String, Boolean> latest = new HashMap<>();
    read(topic, r -> latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value() != null));
    return latest;
  }

  private void read(Topic topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(kafka)) {
      String name = names.of(topic);
      List<TopicPartition> partitions =
          consumer.partitionsFor(name, Duration.ofSeconds(30)).stream()
              .map((PartitionInfo p) -> new TopicPartition(name, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + name + " to its end in 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          each.accept(r);
        }
      }
    }
  }
}
