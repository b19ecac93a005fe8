package io.gatehouse.bench;

import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A proxy in the driver's JVM, for the drivers that measure what reaches Kafka through one (agents
 * are not Kafka clients: a proxy writes their heartbeats). It shares {@link AppAgentYaml}'s cluster
 * CA, so the agents those drivers start can dial it.
 */
final class BenchProxy {
  private BenchProxy() {}

  /**
   * A proxy on {@code bootstrap}'s topics under {@code names}, refreshing every {@code refresh}.
   */
  static Proxy start(String bootstrap, TopicNames names, Path dataDir, Duration refresh) {
    String yaml =
        """
        proxy:
          id: bench-proxy
          kafka: { bootstrap: "%s" }
          topic_prefix: %s
          data_dir: "%s"
          ca: { dir: "%s" }
          listen: "127.0.0.1:0"
          heartbeats: { refresh: %dms }
        """
            .formatted(
                bootstrap, names.prefix(), dataDir, AppAgentYaml.caDir(), refresh.toMillis());
    return Proxy.start(ProxyConfig.parse(yaml, "bench-proxy.yaml"));
  }
}
