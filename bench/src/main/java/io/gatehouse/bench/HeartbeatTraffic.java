package io.gatehouse.bench;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka traffic of one real {@link Agent} serving {@code resources} static apps with its default
 * heartbeat schedule. A consumer positioned at the ends of the heartbeats and agents topics before
 * the agent starts reads every record the agent writes; records are attributed by key to the agent
 * and counted as key + value bytes as produced (Kafka's batch overhead is not included). Sizes are
 * averaged over every record (the start-up burst included); rates count only records whose
 * timestamps fall in the window, which opens after {@code warmUp}.
 */
final class HeartbeatTraffic {
  private HeartbeatTraffic() {}

  /**
   * What one agent wrote.
   *
   * @param interval the agent's beat interval; {@code refresh} its resource heartbeat refresh
   */
  record Measurement(
      int resources,
      double windowSeconds,
      long heartbeats,
      long heartbeatBytes,
      long beats,
      long beatBytes,
      double meanHeartbeatBytes,
      double meanBeatBytes,
      Duration interval,
      Duration refresh) {

    double bytesPerSec() {
      return (heartbeatBytes + beatBytes) / windowSeconds;
    }

    double recordsPerSec() {
      return (heartbeats + beats) / windowSeconds;
    }

    /** One beat per interval and one heartbeat per resource per refresh, at the measured sizes. */
    double scheduledBytesPerSec() {
      return meanBeatBytes / seconds(interval) + resources * meanHeartbeatBytes / seconds(refresh);
    }

    double scheduledRecordsPerSec() {
      return 1 / seconds(interval) + resources / seconds(refresh);
    }

    /** Whether the window was long enough to contain every resource's refresh. */
    boolean coversRefresh() {
      return windowSeconds >= seconds(refresh);
    }

    String json() {
      return String.format(
          Locale.ROOT,
          "{\"scenario\":\"heartbeat-traffic\",\"resources\":%d,\"windowSeconds\":%.1f,\"heartbeats\":%d,\"agentBeats\":%d,"
              + "\"meanHeartbeatBytes\":%.1f,\"meanAgentBeatBytes\":%.1f,\"bytesPerSec\":%.1f,\"recordsPerSec\":%.3f,"
              + "\"scheduledBytesPerSec\":%.1f,\"scheduledRecordsPerSec\":%.3f,\"intervalMillis\":%d,\"refreshMillis\":%d}",
          resources,
          windowSeconds,
          heartbeats,
          beats,
          meanHeartbeatBytes,
          meanBeatBytes,
          bytesPerSec(),
          recordsPerSec(),
          scheduledBytesPerSec(),
          scheduledRecordsPerSec(),
          interval.toMillis(),
          refresh.toMillis());
    }

    private static double seconds(Duration d) {
      return d.toNanos() / 1e9;
    }
  }

  /** Runs agent {@code agentId} with {@code resources} static apps for {@code warmUp + window}. */
  @SuppressWarnings("try") // the agent only has to run during the window
  static Measurement measure(
      String bootstrap,
      TopicNames names,
      String agentId,
      int resources,
      Duration warmUp,
      Duration window) {
    String heartbeatTopic = names.of(Topic.HEARTBEATS);
    String agentTopic = names.of(Topic.AGENTS);
    try (KafkaConsumer<byte[], byte[]> consumer = BenchKafka.consumer(bootstrap)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (String topic : List.of(heartbeatTopic, agentTopic)) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> tps.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      tps.forEach(consumer::position);

      AgentConfig config =
          AgentConfig.parse(yaml(bootstrap, agentId, resources), agentId + ".yaml");
      long[] inWindow = new long[4]; // heartbeats, heartbeat bytes, beats, beat bytes in the window
      long[] all = new long[4]; // the same over every record
      long windowStart;
      long windowEnd;
      try (Agent agent = Agent.start(config)) {
        windowStart = System.currentTimeMillis() + warmUp.toMillis();
        windowEnd = windowStart + window.toMillis();
        // Read a second past the window's end so records stamped inside it are all in.
        while (System.currentTimeMillis() < windowEnd + 1000) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.key() == null
                || r.value() == null
                || !new String(r.key(), StandardCharsets.UTF_8).contains(agentId)) {
              continue;
            }
            int slot = r.topic().equals(agentTopic) ? 2 : 0;
            long size = r.serializedKeySize() + r.serializedValueSize();
            all[slot]++;
            all[slot + 1] += size;
            if (r.timestamp() >= windowStart && r.timestamp() < windowEnd) {
              inWindow[slot]++;
              inWindow[slot + 1] += size;
            }
          }
        }
      }
      AgentConfig.Heartbeat schedule = config.agent().heartbeat();
      return new Measurement(
          resources,
          windowSeconds(windowStart, windowEnd),
          inWindow[0],
          inWindow[1],
          inWindow[2],
          inWindow[3],
          all[0] == 0 ? 0 : all[1] / (double) all[0],
          all[2] == 0 ? 0 : all[3] / (double) all[2],
          schedule.interval(),
          schedule.refresh());
    }
  }

  private static double windowSeconds(long startMillis, long endMillis) {
    return (endMillis - startMillis) / 1000.0;
  }

  private static String yaml(String bootstrap, String agentId, int resources) {
    StringBuilder yaml = new StringBuilder(AppAgentYaml.of(bootstrap, agentId, "  apps:"));
    for (int i = 0; i < resources; i++) {
      yaml.append("    - { name: hb-")
          .append(i)
          .append(", uri: \"http://127.0.0.1:")
          .append(10000 + i)
          .append("\", labels: { env: bench } }\n");
    }
    return yaml.toString();
  }
}
