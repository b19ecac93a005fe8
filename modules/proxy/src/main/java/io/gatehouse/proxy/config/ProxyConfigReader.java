package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.NodeId;
import io.gatehouse.config.ValueParser;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.proxy.routing.RoutingPolicies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/** Reads a {@link ProxyConfig} from a document, reporting every problem at its key path. */
final class ProxyConfigReader {
  private static final Pattern HOST_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

  private ProxyConfigReader() {}

  static ProxyConfig read(ConfigDocument doc, RandomGenerator random) {
    return read(doc, random, System::getenv);
  }

  /**
   * {@link #read(ConfigDocument, RandomGenerator)} with the environment {@code password_env} reads.
   */
  static ProxyConfig read(ConfigDocument doc, RandomGenerator random, UnaryOperator<String> env) {
    ConfigNode root = doc.root();
    ConfigNode proxy = root.object("proxy");
    if (!proxy.isPresent()) {
      root.problem("proxy", "missing required key");
    }
    Optional<String> id = proxy.value("id", text -> NodeId.check("proxy", text));

    ConfigNode kafka = proxy.object("kafka");
    String bootstrap =
        kafka
            .value("bootstrap", ValueParser.hostPorts())
            .map(list -> String.join(",", list.stream().map(HostPort::toString).toList()))
            .orElse(ProxyConfig.DEFAULT_KAFKA_BOOTSTRAP);
    TopicReplication replication = topicReplication(kafka);
    KafkaSecurity security = KafkaSecurityReader.read(kafka, env);

    Optional<Path> dataDir = proxy.value("data_dir", ValueParser.nonBlank()).map(Path::of);
    Path caDir =
        proxy
            .object("ca")
            .value("dir", ValueParser.nonBlank())
            .map(Path::of)
            .orElse(ProxyConfig.DEFAULT_CA_DIR);
    HostPort listen = proxy.value("listen", ValueParser.bindAddress(), ProxyConfig.DEFAULT_LISTEN);
    String publicHost =
        proxy.value("public_host", ProxyConfigReader::publicHost, ProxyConfig.DEFAULT_PUBLIC_HOST);
    String prefix =
        proxy.value(
            "topic_prefix", ProxyConfigReader::topicPrefix, ProxyConfig.DEFAULT_TOPIC_PREFIX);

    ConfigNode sessions = proxy.object("sessions");
    Duration idle =
        sessions.value(
            "idle_timeout",
            ValueParser.positiveDuration(),
            ProxyConfig.DEFAULT_SESSION_IDLE_TIMEOUT);

    ConfigNode routing = proxy.object("routing");
    Duration eject =
        routing.value(
            "eject_backoff", ValueParser.positiveDuration(), ProxyConfig.DEFAULT_EJECT_BACKOFF);
    // Asked for only when present, so "expected one of" never lists it.
    if (routing.keys().contains("dial_timeout") && routing.has("dial_timeout")) {
      routing.problem(
          "dial_timeout",
          "proxies no longer dial agents: sessions open as streams on the tunnels agents dial,"
              + " which fail at once when a tunnel is gone; remove this key");
    }
    Duration response =
        routing.value(
            "response_timeout",
            ValueParser.positiveDuration(),
            ProxyConfig.DEFAULT_RESPONSE_TIMEOUT);
    RoutingPolicies policies = RoutingPoliciesReader.read(proxy, routing);
    Duration refresh =
        proxy
            .object("heartbeats")
            .value(
                "refresh", ValueParser.positiveDuration(), ProxyConfig.DEFAULT_HEARTBEAT_REFRESH);
    ListenerLimits limits = ListenerLimits.read(proxy.object("limits"));
    int loops = (int) proxy.integer("event_loops", ProxyConfig.DEFAULT_EVENT_LOOPS, 1, 256);
    int lanes =
        (int)
            proxy.integer(
                "tunnel_lanes",
                Math.min(io.gatehouse.relay.Wire.MAX_LANES, loops),
                1,
                io.gatehouse.relay.Wire.MAX_LANES);

    AuthSettings auth = AuthSettings.read(proxy.object("auth"));
    EdgeSettings edge = EdgeSettings.read(proxy, java.time.Instant.now());
    Duration shutdownDelay =
        proxy.value(
            "shutdown_delay", ProxyConfigReader::shutdownDelay, ProxyConfig.DEFAULT_SHUTDOWN_DELAY);

    doc.requireValid();
    String resolvedId = id.orElseGet(() -> NodeId.generate(random));
    Path resolvedDir = dataDir.orElse(Path.of(".gatehouse", "proxy-" + resolvedId));
    return new ProxyConfig(
        doc.source(),
        resolvedId,
        bootstrap,
        security,
        replication,
        resolvedDir,
        caDir,
        listen,
        publicHost,
        prefix,
        idle,
        eject,
        response,
        policies,
        refresh,
        auth,
        limits,
        loops,
        lanes,
        edge,
        shutdownDelay);
  }

  private static Duration shutdownDelay(String text) {
    Duration d = ValueParser.duration().parse(text);
    if (d.compareTo(ProxyConfig.MAX_SHUTDOWN_DELAY) > 0) {
      throw new IllegalArgumentException(
          "at most 5m (a balancer takes a proxy out of rotation within seconds), got '"
              + text
              + "'");
    }
    return d;
  }

  /**
   * {@code replication_factor} (default 1) and {@code min_insync_replicas} (default: the broker's),
   * which may not exceed it.
   */
  private static TopicReplication topicReplication(ConfigNode kafka) {
    short factor = (short) kafka.integer("replication_factor", 1, 1, Short.MAX_VALUE);
    OptionalInt minInsync = OptionalInt.empty();
    if (kafka.has("min_insync_replicas")) {
      int min = (int) kafka.integer("min_insync_replicas", 1, 1, Short.MAX_VALUE);
      if (min > factor) {
        kafka.problem(
            "min_insync_replicas",
            "must not exceed replication_factor ("
                + factor
                + "): no write could ever be acknowledged");
      } else {
        minInsync = OptionalInt.of(min);
      }
    }
    return new TopicReplication(factor, minInsync);
  }

  private static String publicHost(String text) {
    String host = text.strip().toLowerCase(Locale.ROOT);
    if (host.length() > 253 || !HOST_NAME.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "invalid host name '"
              + text
              + "': expected DNS labels separated by dots, e.g. localhost or gatehouse.example.com (no port)");
    }
    return host;
  }

  private static String topicPrefix(String text) {
    new TopicNames(text);
    return text;
  }
}
