package io.gatehouse.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The properties of a single-node KRaft broker: development defaults, then the fixed topology (one
 * combined broker+controller, both listeners on one host), then the caller's overrides, which win
 * over everything.
 */
final class BrokerConfig {

  static final String BROKER_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";
  static final int NODE_ID = 1;

  private BrokerConfig() {}

  static Properties of(
      String host, int brokerPort, int controllerPort, Path logDir, Map<String, String> overrides) {
    Properties props = new Properties();

    // One node, so every internal topic must accept a replication factor and min ISR of 1.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // The defaults of 50 partitions per internal topic only slow down the first group join or
    // transaction on a development broker.
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.num.partitions", "1");
    props.put("group.initial.rebalance.delay.ms", "0");

    // Topics are created on purpose, with their cleanup policy, never by a typo in a client.
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    props.put("default.replication.factor", "1");
    // Compacted topics must work. The cleaner's default 128 MiB dedupe buffer is allocated up
    // front; 16 MiB still maps about 600k keys per pass and keeps two brokers in one test JVM
    // cheap.
    props.put("log.cleaner.enable", "true");
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // A broker that cannot reach its own controller fails start() instead of hanging.
    props.put("server.max.startup.time.ms", "60000");

    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
    props.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + host
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + host
            + ":"
            + controllerPort);
    props.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("log.dirs", logDir.toAbsolutePath().toString());

    props.putAll(overrides);
    return props;
  }
}
