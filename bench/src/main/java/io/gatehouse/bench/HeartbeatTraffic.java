package io.gatehouse.bench;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka traffic of one real {@link Agent} serving {@code resources} static apps through one real
 * {@link Proxy} (agents are not Kafka clients: the proxy writes their heartbeats, at most one per
 * resource per {@code proxy.heartbeats.refresh}). A consumer positioned at the end of the
 * heartbeats topic before the agent starts reads every record written for it; records are
 * attributed by key and counted as key + value bytes as produced (Kafka's batch overhead is not
 * included). Sizes are averaged over every record (the start-up burst included); rates count only
 * records whose timestamps fall in the window, which opens after {@code warmUp}.
 */
final class HeartbeatTraffic {
  private HeartbeatTraffic() {}

  /**
   * What was written for one agent.
   *
   * @param refresh the proxy's heartbeat refresh period
   */
  record Measurement(
      int resources,
      double windowSeconds,
      long heartbeats,
      long heartbeatBytes,
      double meanHeartbeatBytes,
      Duration refresh) {

    double bytesPerSec() {
      return heartbeatBytes / windowSeconds;
    }

    double recordsPerSec() {
      return heartbeats / windowSeconds;
    }

    /** One heartbeat per resource per refresh, at the measured size. */
    double scheduledBytesPerSec() {
      return resources * meanHeartbeatBytes / seconds(refresh);
    }

    double scheduledRecordsPerSec() {
      return resources / seconds(refresh);
    }

    /** Kafka bytes per resource per second, as measured. */
    double bytesPerResourcePerSec() {
      return bytesPerSec() / resources;
    }

    /** Records per resource per 90 s, as measured: Teleport writes one. */
    double recordsPerResourcePer90s() {
      return recordsPerSec() / resources * 90;
    }

    /** Whether the window was long enough to contain every resource's refresh. */
    boolean coversRefresh() {
      return windowSeconds >= seconds(refresh);
    }

    String json() {
      return String.format(
          Locale.ROOT,
          "{\"scenario\":\"heartbeat-traffic\",\"resources\":%d,\"windowSeconds\":%.1f,\"heartbeats\":%d,"
              + "\"meanHeartbeatBytes\":%.1f,\"bytesPerSec\":%.1f,\"recordsPerSec\":%.3f,"
              + "\"bytesPerResourcePerSec\":%.3f,\"recordsPerResourcePer90s\":%.2f,"
              + "\"scheduledBytesPerSec\":%.1f,\"scheduledRecordsPerSec\":%.3f,\"refreshMillis\":%d}",
          resources,
          windowSeconds,
          heartbeats,
          meanHeartbeatBytes,
          bytesPerSec(),
          recordsPerSec(),
          bytesPerResourcePerSec(),
          recordsPerResourcePer90s(),
          scheduledBytesPerSec(),
          scheduledRecordsPerSec(),
          refresh.toMillis());
    }

    private static double seconds(Duration d) {
      return d.toNanos() / 1e9;
    }
  }

  /**
   * Runs a proxy refreshing every {@code refresh} and agent {@code agentId} with {@code resources}
   * static apps for {@code warmUp + window}.
   */
  @SuppressWarnings("try") // the agent only has to run during the window
  static Measurement measure(
      String bootstrap,
      TopicNames names,
      String agentId,
      int resources,
      Duration refresh,
      Duration warmUp,
      Duration window)
      throws Exception {
    String heartbeatTopic = names.of(Topic.HEARTBEATS);
    Path proxyDir = Files.createTempDirectory("gatehouse-bench-hb-proxy-");
    try (KafkaConsumer<byte[], byte[]> consumer = BenchKafka.consumer(bootstrap);
        Proxy proxy = BenchProxy.start(bootstrap, names, proxyDir, refresh)) {
      List<TopicPartition> tps =
          consumer.partitionsFor(heartbeatTopic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      tps.forEach(consumer::position);

      AgentConfig config = AgentConfig.parse(yaml(proxy, agentId, resources), agentId + ".yaml");
      long[] inWindow = new long[2]; // heartbeats, bytes in the window
      long[] all = new long[2]; // the same over every record
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
                || !new String(r.key(), StandardCharsets.UTF_8).endsWith("/" + agentId)) {
              continue;
            }
            long size = r.serializedKeySize() + r.serializedValueSize();
            all[0]++;
            all[1] += size;
            if (r.timestamp() >= windowStart && r.timestamp() < windowEnd) {
              inWindow[0]++;
              inWindow[1] += size;
            }
          }
        }
      }
      return new Measurement(
          resources,
          (windowEnd - windowStart) / 1000.0,
          inWindow[0],
          inWindow[1],
          all[0] == 0 ? 0 : all[1] / (double) all[0],
          refresh);
    } finally {
      io.gatehouse.lifecycle.FileTree.delete(proxyDir);
    }
  }

  private static String yaml(Proxy proxy, String agentId, int resources) {
    StringBuilder yaml = new StringBuilder(AppAgentYaml.of(proxy.webAddress(), agentId, "  apps:"));
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
