package io.gatehouse.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The properties of a KRaft node: development defaults, then the topology (a combined
 * broker+controller, both listeners on one host; alone, or one node of a {@link KafkaQuorum} with
 * its replication settings), then the caller's overrides, which win over everything.
 *
 * <p>With a {@link SaslSslListener}, the client listener is {@code SASL_SSL} (SCRAM-SHA-512) and
 * carries the broker's traffic to itself too; the controller listener takes SASL/PLAIN with the
 * super user's password only (KRaft cannot check SCRAM there: the credentials live in the metadata
 * the controller serves), and the {@code StandardAuthorizer} denies what no ACL allows, except to
 * the super user.
 */
final class BrokerConfig {

  static final String BROKER_LISTENER = "PLAINTEXT";
  static final String SECURE_LISTENER = "SASL_SSL";
  static final String CONTROLLER_LISTENER = "CONTROLLER";
  static final int NODE_ID = 1;

  private BrokerConfig() {}

  static Properties of(
      String host,
      int brokerPort,
      int controllerPort,
      Path logDir,
      Optional<SaslSslListener> secure,
      Optional<KafkaQuorum> quorum,
      Map<String, String> overrides) {
    Properties props = new Properties();

    // Alone, every internal topic must accept a replication factor and min ISR of 1; in a quorum
    // they get the cluster's settings, as do topics created without their own.
    String factor = Integer.toString(quorum.map(KafkaQuorum::replicationFactor).orElse(1));
    String minIsr = Integer.toString(quorum.map(KafkaQuorum::minInsyncReplicas).orElse(1));
    props.put("offsets.topic.replication.factor", factor);
    props.put("transaction.state.log.replication.factor", factor);
    props.put("transaction.state.log.min.isr", minIsr);
    props.put("share.coordinator.state.topic.replication.factor", factor);
    props.put("share.coordinator.state.topic.min.isr", minIsr);
    props.put("default.replication.factor", factor);
    props.put("min.insync.replicas", minIsr);
    // The defaults of 50 partitions per internal topic only slow down the first group join or
    // transaction on a development broker.
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.num.partitions", "1");
    props.put("group.initial.rebalance.delay.ms", "0");

    // Topics are created on purpose, with their cleanup policy, never by a typo in a client.
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    // Compacted topics must work. The cleaner's default 128 MiB dedupe buffer is allocated up
    // front; 16 MiB still maps about 600k keys per pass and keeps two brokers in one test JVM
    // cheap.
    props.put("log.cleaner.enable", "true");
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // A broker that cannot reach its own controller fails start() instead of hanging.
    props.put("server.max.startup.time.ms", "60000");

    props.put("process.roles", "broker,controller");
    if (quorum.isPresent()) {
      // A static voter set: every node knows every controller from its configuration.
      props.put("node.id", Integer.toString(quorum.get().nodeId()));
      props.put("controller.quorum.voters", quorum.get().voters());
    } else {
      props.put("node.id", Integer.toString(NODE_ID));
      props.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
    }
    String client = secure.isPresent() ? SECURE_LISTENER : BROKER_LISTENER;
    props.put(
        "listeners",
        client
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
    props.put("advertised.listeners", client + "://" + host + ":" + brokerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", client);
    if (secure.isPresent()) {
      secure(props, secure.get());
    } else {
      props.put(
          "listener.security.protocol.map",
          BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    }
    props.put("log.dirs", logDir.toAbsolutePath().toString());

    props.putAll(overrides);
    return props;
  }

  private static void secure(Properties props, SaslSslListener secure) {
    String su = secure.superUser();
    String password = SaslSslListener.quoted(secure.superUserPassword());
    props.put(
        "listener.security.protocol.map",
        SECURE_LISTENER + ":SASL_SSL," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
    String clientPrefix = "listener.name." + SECURE_LISTENER.toLowerCase(java.util.Locale.ROOT);
    String controllerPrefix =
        "listener.name." + CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT);
    props.put(clientPrefix + ".sasl.enabled.mechanisms", SaslSslListener.MECHANISM);
    props.put(
        clientPrefix + ".scram-sha-512.sasl.jaas.config",
        SaslSslListener.scramJaas(su, secure.superUserPassword()));
    props.put("sasl.mechanism.inter.broker.protocol", SaslSslListener.MECHANISM);
    props.put(controllerPrefix + ".sasl.enabled.mechanisms", "PLAIN");
    props.put(
        controllerPrefix + ".plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + SaslSslListener.quoted(su)
            + "\" password=\""
            + password
            + "\" user_"
            + su
            + "=\""
            + password
            + "\";");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put("sasl.enabled.mechanisms", SaslSslListener.MECHANISM);

    props.put("ssl.keystore.type", "PEM");
    props.put("ssl.keystore.location", secure.keyStore().toAbsolutePath().toString());
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", secure.trustStore().toAbsolutePath().toString());
    props.put("ssl.client.auth", "none");

    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + su);
    props.put("allow.everyone.if.no.acl.found", "false");
  }
}
