package io.gatehouse.cli.commands;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.broker.KafkaQuorum;
import io.gatehouse.broker.SaslSslListener;
import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.ValueParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration of {@code gatehouse kafka node -c node.yaml}: one combined broker+controller of
 * a multi-node KRaft cluster, read and validated once; {@code docs/operations.md} is the reference.
 *
 * <pre>{@code
 * kafka_node:
 *   id: 1                                  # this node's place in controllers, from 1
 *   listen: "127.0.0.1:19092"              # the client (and inter-broker) listener
 *   controllers: ["127.0.0.1:19093", "127.0.0.1:19095", "127.0.0.1:19097"]
 *   cluster_id: "…"                        # 22 base64url characters, the same on every node
 *   data_dir: /var/lib/kafka/node-1        # formatted on the first start, kept
 *   replication_factor: 3                  # default: the number of nodes, at most 3
 *   min_insync_replicas: 2                 # default: replication_factor - 1, at least 1
 *   sasl_ssl:                              # optional; without it the node speaks plaintext
 *     key_store: node.pem                  # PEM: unencrypted PKCS#8 key, then the certificate chain
 *     trust_store: ca.pem                  # PEM CA of the nodes' certificates
 *     users_file: scram-users              # NAME=PASSWORD lines (0600); SCRAM-SHA-512 users
 *     super_user: admin                    # one of them: the nodes' own login, bypasses ACLs
 *   properties: { "log.retention.hours": "168" }   # any broker property; wins over the above
 * }</pre>
 *
 * @param quorum the node's place in the cluster and the replication settings
 * @param listen the client listener
 * @param dataDir the node's persistent data directory
 * @param saslSsl the secured listener, if any
 * @param properties broker properties that override everything derived
 */
record KafkaNodeConfig(
    KafkaQuorum quorum,
    HostPort listen,
    Path dataDir,
    Optional<SaslSslListener> saslSsl,
    Map<String, String> properties) {

  static KafkaNodeConfig load(Path file) {
    ConfigDocument doc = ConfigDocument.load(file);
    ConfigNode node = doc.root().object("kafka_node");
    if (!node.isPresent()) {
      doc.root().problem("kafka_node", "missing required key");
    }
    int id = (int) node.integer("id", 0, 1, 1000);
    if (!node.has("id")) {
      node.problem("id", "missing required key");
    }
    Optional<HostPort> listen = node.required("listen", ValueParser.hostPort());
    List<String> controllers = node.strings("controllers");
    for (int i = 0; i < controllers.size(); i++) {
      try {
        HostPort.parse(controllers.get(i));
      } catch (IllegalArgumentException e) {
        node.problem("controllers", "entry " + (i + 1) + ": " + e.getMessage());
      }
    }
    if (controllers.isEmpty()) {
      node.problem("controllers", "missing required key: the controller address of every node");
    } else if (id > controllers.size()) {
      node.problem("id", "must be between 1 and the number of controllers, " + controllers.size());
    }
    Optional<String> clusterId = node.required("cluster_id", ValueParser.nonBlank());
    Optional<Path> dataDir = node.required("data_dir", ValueParser.nonBlank()).map(Path::of);
    int nodes = Math.max(1, controllers.size());
    int factor = (int) node.integer("replication_factor", Math.min(3, nodes), 1, nodes);
    int minIsr =
        (int) node.integer("min_insync_replicas", Math.max(1, factor - 1), 1, Short.MAX_VALUE);
    if (minIsr > factor) {
      node.problem("min_insync_replicas", "must not exceed replication_factor (" + factor + ")");
    }
    Optional<SaslSslListener> secure = saslSsl(node.object("sasl_ssl"), file);
    Map<String, String> properties = node.stringMap("properties");
    doc.requireValid();

    KafkaQuorum quorum;
    try {
      quorum = new KafkaQuorum(id, controllers, clusterId.get(), factor, minIsr);
    } catch (IllegalArgumentException e) {
      doc.problem("kafka_node", e.getMessage());
      doc.requireValid();
      throw e;
    }
    return new KafkaNodeConfig(quorum, listen.get(), dataDir.get(), secure, properties);
  }

  /** The broker, not started. */
  EmbeddedKafka broker() {
    EmbeddedKafka.Builder builder =
        EmbeddedKafka.builder()
            .host(listen.host())
            .port(listen.port())
            .dataDir(dataDir)
            .quorum(quorum)
            .saslSsl(saslSsl.orElse(null));
    properties.forEach(builder::property);
    return builder.build();
  }

  private static Optional<SaslSslListener> saslSsl(ConfigNode secure, Path file) {
    if (!secure.isPresent()) {
      return Optional.empty();
    }
    Path base = file.toAbsolutePath().getParent();
    Optional<Path> keyStore =
        secure.required("key_store", ValueParser.nonBlank()).map(base::resolve);
    Optional<Path> trustStore =
        secure.required("trust_store", ValueParser.nonBlank()).map(base::resolve);
    Optional<Path> usersFile =
        secure.required("users_file", ValueParser.nonBlank()).map(base::resolve);
    Optional<String> superUser = secure.required("super_user", ValueParser.nonBlank());
    keyStore
        .filter(p -> !Files.isReadable(p))
        .ifPresent(p -> secure.problem("key_store", "cannot read " + p));
    trustStore
        .filter(p -> !Files.isReadable(p))
        .ifPresent(p -> secure.problem("trust_store", "cannot read " + p));
    Map<String, String> users = usersFile.map(p -> users(p, secure)).orElse(Map.of());
    if (keyStore.isEmpty() || trustStore.isEmpty() || superUser.isEmpty() || users.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new SaslSslListener(keyStore.get(), trustStore.get(), users, superUser.get()));
    } catch (IllegalArgumentException e) {
      // The listener's messages name users, never a password.
      secure.problem("users_file", e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code NAME=PASSWORD} lines; blank lines and {@code #} comments are skipped. */
  private static Map<String, String> users(Path file, ConfigNode secure) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      secure.problem("users_file", "cannot read " + file + ": " + e.getMessage());
      return Map.of();
    }
    Map<String, String> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0 || eq == line.length() - 1) {
        secure.problem("users_file", file + " line " + (i + 1) + ": expected NAME=PASSWORD");
        continue;
      }
      users.put(line.substring(0, eq), line.substring(eq + 1));
    }
    if (users.isEmpty()) {
      secure.problem("users_file", file + " holds no NAME=PASSWORD line");
    }
    return users;
  }
}
