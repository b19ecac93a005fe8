package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.HostPort;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.proxy.routing.RoutingPolicies;
import io.gatehouse.relay.ResponseTimeout;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * A proxy's configuration ({@code proxy.yaml}), parsed and validated once: immutable, every default
 * applied, the id and data directory resolved. {@code docs/proxy.md} is the reference.
 *
 * @param source the file (or other source) it was read from, for messages
 * @param id the proxy's id, written in pins and audit events; default host name plus a random
 *     suffix
 * @param kafkaBootstrap Kafka's bootstrap servers, {@code host:port[,host:port...]}
 * @param kafkaSecurity how the proxy's Kafka clients connect: plaintext by default, or TLS, or TLS
 *     with a SCRAM login (the password read from its file or variable; never printed)
 * @param topicReplication replication factor and {@code min.insync.replicas} of the topics the
 *     proxy creates when missing ({@code kafka.replication_factor}, {@code
 *     kafka.min_insync_replicas})
 * @param dataDir where the proxy keeps its RocksDB state; default {@code ./.gatehouse/proxy-<id>}
 * @param caDir the cluster's trust material made by {@code gatehouse ca init} (CA key and
 *     certificate, cluster secret), shared by every proxy; default {@code ./.gatehouse/ca}
 * @param listen the web port (API, app traffic, tunnels); loopback by default, port 0 picks one
 * @param publicHost apps are reached at {@code <name>.<publicHost>}
 * @param topicPrefix prefix of the contract's topics
 * @param sessionIdleTimeout an HTTP session unused this long ends
 * @param ejectBackoff how long an agent that failed a dial is skipped (doubling on repeated
 *     failures)
 * @param responseTimeout how long an agent may take to send response headers (or to open a tunnel)
 *     before the user gets a 502; longer than the agents' own {@code relay.response_timeout}
 * @param routing this proxy's zone ({@code proxy.zone}) and how it picks an agent for each resource
 *     ({@code proxy.routing.policy}, {@code kind_policy}, {@code resource_policy}); random for
 *     every resource by default
 * @param heartbeatRefresh how often the proxy rewrites, on the agents' behalf, the heartbeat of
 *     each resource its agents serve (jittered, never later); the records live three times this
 * @param auth how users log in
 * @param limits the web port's timeouts and caps ({@code proxy.limits})
 * @param eventLoops the web port's event loops ({@code proxy.event_loops}): the threads every user
 *     connection, agent tunnel and API request runs on; two per core by default
 * @param tunnelLanes how many connections each agent keeps to this proxy ({@code
 *     proxy.tunnel_lanes}): its main tunnel and a lane per further event loop of the port, so that
 *     a session's bytes stay on the thread of the user's connection; one per event loop by default,
 *     never more than the port's loops
 * @param edge the operator's certificate for users and the plaintext listener, if any
 * @param shutdownDelay how long a graceful stop goes on serving with {@code /readyz} at 503 before
 *     it closes anything, so that the load balancers in front take the proxy out of rotation first
 *     ({@code proxy.shutdown_delay}); zero by default: stop at once
 */
public record ProxyConfig(
    String source,
    String id,
    String kafkaBootstrap,
    KafkaSecurity kafkaSecurity,
    TopicReplication topicReplication,
    Path dataDir,
    Path caDir,
    HostPort listen,
    String publicHost,
    String topicPrefix,
    Duration sessionIdleTimeout,
    Duration ejectBackoff,
    Duration responseTimeout,
    RoutingPolicies routing,
    Duration heartbeatRefresh,
    AuthSettings auth,
    ListenerLimits limits,
    int eventLoops,
    int tunnelLanes,
    EdgeSettings edge,
    Duration shutdownDelay) {

  public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";

  /** Loopback: exposing the proxy is the operator's explicit choice. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 3080);

  /** Relative, like the data directory: proxies started side by side share one CA. */
  public static final Path DEFAULT_CA_DIR = Path.of(".gatehouse", "ca");

  public static final String DEFAULT_PUBLIC_HOST = "localhost";
  public static final String DEFAULT_TOPIC_PREFIX = "gatehouse";
  public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_EJECT_BACKOFF = Duration.ofSeconds(10);

  /** Vert.x's default: two per core. */
  public static final int DEFAULT_EVENT_LOOPS =
      io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;

  /**
   * One connection per event loop of the web port, at most {@link
   * io.gatehouse.relay.Wire#MAX_LANES}.
   */
  public static final int DEFAULT_TUNNEL_LANES =
      Math.min(io.gatehouse.relay.Wire.MAX_LANES, DEFAULT_EVENT_LOOPS);

  /**
   * At most one heartbeat record per resource and agent every 90 s, as Teleport writes: liveness
   * comes from tunnels, so a heartbeat only says what an agent serves.
   */
  public static final Duration DEFAULT_HEARTBEAT_REFRESH = Duration.ofSeconds(90);

  /** Longer than the agents' default upstream response timeout (60 s), so theirs answers first. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = ResponseTimeout.AGENT_DEFAULT;

  /** None: a proxy nothing health-checks (one proxy, dev mode, tests) stops at once. */
  public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;

  /** Longer than any balancer's checks need; a service manager's stop timeout must exceed it. */
  public static final Duration MAX_SHUTDOWN_DELAY = Duration.ofMinutes(5);

  public ProxyConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
    Objects.requireNonNull(kafkaSecurity, "kafkaSecurity");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(caDir, "caDir");
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(publicHost, "publicHost");
    Objects.requireNonNull(topicPrefix, "topicPrefix");
    Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
    Objects.requireNonNull(ejectBackoff, "ejectBackoff");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(heartbeatRefresh, "heartbeatRefresh");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(edge, "edge");
    Objects.requireNonNull(shutdownDelay, "shutdownDelay");
  }

  /**
   * The settings every Kafka client of this proxy starts from (each adds its role to the client id
   * with {@link KafkaSettings#forClient}): the bootstrap, client id {@code gatehouse-proxy-<id>},
   * and {@link #kafkaSecurity()}. Also what the CLI's Kafka commands use with a {@code proxy.yaml}.
   */
  public KafkaSettings kafkaSettings() {
    return KafkaSettings.of(kafkaBootstrap)
        .withClientId("gatehouse-proxy-" + id)
        .withSecurity(kafkaSecurity);
  }

  /**
   * Reads and validates a file.
   *
   * @throws ConfigException listing every problem as {@code file: key.path: reason}, one per line
   */
  public static ProxyConfig load(Path file) {
    return ProxyConfigReader.read(ConfigDocument.load(file), new SecureRandom());
  }

  /**
   * Parses and validates YAML text.
   *
   * @param sourceName how to name the text in problems, e.g. its file name
   * @throws ConfigException listing every problem as {@code source: key.path: reason}, one per line
   */
  public static ProxyConfig parse(String yaml, String sourceName) {
    return ProxyConfigReader.read(ConfigDocument.parse(yaml, sourceName), new SecureRandom());
  }

  /** Every default, with a generated id: what an empty {@code proxy.yaml} gives. */
  public static ProxyConfig defaults() {
    return parse("proxy: {}", "defaults");
  }
}
