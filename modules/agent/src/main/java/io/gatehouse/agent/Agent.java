package io.gatehouse.agent;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.heartbeat.HeartbeatPublisher;
import io.gatehouse.agent.internal.metrics.MetricsServer;
import io.gatehouse.agent.internal.relay.RelayMetrics;
import io.gatehouse.agent.internal.relay.RelayServer;
import io.gatehouse.agent.internal.tunnel.AgentJoiner;
import io.gatehouse.agent.internal.tunnel.ProxyLinks;
import io.gatehouse.agent.internal.watch.ResourceWatcher;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.Backoff;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicContractException;
import io.gatehouse.kafka.TopicPolicyException;
import io.gatehouse.kafka.TopicSetup;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: it serves the static resources of its configuration and the dynamic ones its
 * selectors match on {@code gatehouse.resources}, heartbeats each of them and itself, and relays
 * proxies' sessions to the upstreams.
 *
 * <p>Lifecycle: {@link #start(AgentConfig)} returns once the topics exist, the agent has its
 * credentials (joining with {@code agent.join} on a first start), its tunnel to {@code agent.proxy}
 * is being dialed and the first records are on their way; it opens no port for proxies: every
 * session arrives on a tunnel it dialed, and it keeps one to every proxy the first one tells it of.
 * When {@code agent.metrics.listen} is set, {@code GET /metrics} answers there in the Prometheus
 * text format. {@link #close()} is the graceful stop: new sessions are refused with {@code 503
 * draining}, every heartbeat and the agent beat are tombstoned and flushed, then the tunnels (so
 * every proxy drops the agent at once) and every open session are closed. {@link #kill()} stops
 * without a word, as a crash would. Both are idempotent. Registering a SIGTERM hook that calls
 * {@code close()} is the caller's job.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final Duration VERTX_TIMEOUT = Duration.ofSeconds(10);

  private final String id;
  private final AgentConfig config;
  private final Optional<HostPort> metricsAddress;
  private final MeterRegistry registry;
  private final RelayServer relay;
  private final ProxyLinks links;
  private final ResourceCatalog catalog;
  private final HeartbeatPublisher publisher;
  private final ResourceWatcher watcher;
  private final Closer closer;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Agent(Parts p) {
    this.id = p.id;
    this.config = p.config;
    this.metricsAddress = p.metricsAddress;
    this.registry = p.registry;
    this.relay = p.relay;
    this.links = p.links;
    this.catalog = p.catalog;
    this.publisher = p.publisher;
    this.watcher = p.watcher;
    this.closer = p.closer;
  }

  /** Starts an agent with the system clock, fresh randomness and its own Prometheus registry. */
  public static Agent start(AgentConfig config) {
    return builder(config).start();
  }

  /** Configures an agent's clock, randomness and meter registry before starting it. */
  public static Builder builder(AgentConfig config) {
    return new Builder(config);
  }

  /** The agent's id: the configured one, or host name plus a random suffix. */
  public String id() {
    return id;
  }

  /** The proxies this agent has a tunnel to right now, by the address it dialed. */
  public java.util.Set<HostPort> connectedProxies() {
    return links.connected();
  }

  /**
   * Where {@code GET /metrics} answers, with the actual port when port 0 was configured; empty when
   * {@code agent.metrics.listen} is not set.
   */
  public Optional<HostPort> metricsAddress() {
    return metricsAddress;
  }

  /** The registry the agent's meters are in. */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** The configuration the agent runs with. */
  public AgentConfig config() {
    return config;
  }

  /** The resources served right now, sorted by {@code kind/name}. */
  public List<ServedResource> served() {
    return catalog.served();
  }

  /**
   * True once the agent has read {@code gatehouse.resources} up to where it ended when the agent
   * started (at once when no service has a dynamic watcher).
   */
  public boolean isCaughtUp() {
    return watcher == null || watcher.isCaughtUp();
  }

  /**
   * Graceful stop: refuses new sessions, tombstones every heartbeat and the agent beat and waits
   * (at most {@code agent.shutdown_timeout}) for Kafka to acknowledge them, then closes what start
   * opened in reverse: the resource watcher and its store, the heartbeat producer, and last the
   * listener and open sessions. Idempotent.
   *
   * @throws AgentException after closing everything, if some part failed to close
   */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    LOG.info("agent {} stopping: tombstoning {} heartbeats and its beat", id, catalog.size());
    relay.drain();
    boolean acknowledged = publisher.goodbye(config.agent().shutdownTimeout());
    release(true);
    LOG.info(
        "agent {} stopped{}",
        id,
        acknowledged ? "" : " (goodbye not acknowledged; proxies expire it by TTL)");
  }

  /**
   * Stops at once without tombstones, as a crash would: the beat stops and proxies expire the agent
   * after its TTL. For tests and emergencies. Idempotent.
   */
  public void kill() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    publisher.kill();
    release(false);
    LOG.info("agent {} killed", id);
  }

  private void release(boolean graceful) {
    closer.close(
        failure ->
            new AgentException(
                "agent "
                    + id
                    + " did not "
                    + (graceful ? "stop" : "die")
                    + " cleanly: "
                    + failure.getMessage(),
                failure));
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(VERTX_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AgentException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new AgentException("timed out after " + VERTX_TIMEOUT + " trying to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException("interrupted trying to " + what, e);
    }
  }

  @Override
  public String toString() {
    return "Agent[" + id + ", " + catalog.size() + " resources]";
  }

  /**
   * What start assembles. Each part is registered with the closer as it is opened, so a failed
   * start and {@link #close} both release in the reverse order: the resource watcher and its store,
   * then its temporary directory, the heartbeat publisher, and last Vert.x with the relay listener
   * and open sessions.
   */
  private static final class Parts {
    final Closer closer = new Closer();
    String id;
    AgentConfig config;
    Optional<HostPort> metricsAddress = Optional.empty();
    MeterRegistry registry;
    Vertx vertx;
    RelayServer relay;
    ProxyLinks links;
    ResourceCatalog catalog;
    HeartbeatPublisher publisher;
    ResourceWatcher watcher;
  }

  /** Starts an {@link Agent} with injectable time, randomness and meters. */
  public static final class Builder {
    private final AgentConfig config;
    private Clock clock = Clock.systemUTC();
    private Random random = new SecureRandom();
    private MeterRegistry registry;

    private Builder(AgentConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The clock heartbeat times are written with; tests inject one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Randomness for the id suffix, heartbeat jitter and back-off; tests seed it. */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Where meters are registered; the agent never closes it. Default: a Prometheus registry. With
     * {@code agent.metrics.listen} set, it must be a {@link PrometheusMeterRegistry}.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Starts the agent.
     *
     * @throws AgentException when Kafka stays unreachable past {@code agent.kafka.startup_timeout},
     *     the topics break the contract, the agent has no credentials and cannot join, the metrics
     *     address cannot be bound, the state store cannot be opened, or a metrics port is
     *     configured with a registry that is not Prometheus; whatever was started is stopped again
     */
    public Agent start() {
      AgentConfig.Settings s = config.agent();
      Parts p = new Parts();
      p.config = config;
      // Without a configured id, the one in the certificate of an earlier join, else a new one.
      Path defaultDir = Path.of(".gatehouse", "agent");
      p.id =
          s.id()
              .or(() -> AgentCredentials.storedId(s.dataDir().orElse(defaultDir)))
              .orElseGet(() -> NodeId.generate(random));
      Path dataDir =
          s.dataDir()
              .orElse(s.id().isPresent() ? Path.of(".gatehouse", "agent-" + p.id) : defaultDir);
      p.registry =
          registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      if (s.metrics().listen().isPresent() && !(p.registry instanceof PrometheusMeterRegistry)) {
        throw new AgentException(
            "agent "
                + p.id
                + " cannot serve agent.metrics.listen: its meter registry is a "
                + p.registry.getClass().getSimpleName()
                + ", not a PrometheusMeterRegistry");
      }
      TopicNames names = new TopicNames(s.topicPrefix());
      KafkaSettings kafka = kafkaSettings(s.kafka().bootstrap(), p.id);
      try {
        new TopicSetup(
                kafka.forClient("admin"),
                names,
                List.of(Topic.RESOURCES, Topic.HEARTBEATS, Topic.AGENTS),
                s.kafka().replicationFactor())
            .awaitUntil(
                // Wall time, not the agent's clock: tests inject a clock for heartbeats, and the
                // start-up timeout is how long an operator waits.
                Instant.now().plus(s.kafka().startupTimeout()),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), random));
      } catch (TopicPolicyException e) {
        throw new AgentException(
            "topics at " + kafka.bootstrap() + " break the contract: " + e.getMessage(), e);
      } catch (TopicContractException e) {
        throw new AgentException(e.getMessage(), e);
      }
      try {
        p.catalog = new ResourceCatalog(p.id, config);
        p.vertx =
            p.closer.register(
                Vertx.vertx(new VertxOptions()), v -> await(v.close(), "close the relay"));
        p.relay =
            new RelayServer(p.vertx, p.id, s.relay(), p.catalog, new RelayMetrics(p.registry));
        AgentCredentials credentials = credentials(s, dataDir, p.id);
        p.links =
            p.closer.register(
                new ProxyLinks(
                    (VertxInternal) p.vertx,
                    p.id,
                    new TunnelDialer(
                        ((VertxInternal) p.vertx).nettyEventLoopGroup(),
                        credentials.clientContext(),
                        TunnelSettings.DEFAULTS,
                        s.relay().connectTimeout()),
                    p.relay,
                    random));
        p.links.renewFrom(credentials, dataDir, clock);
        p.links.follow(s.proxy());
        if (s.metrics().listen().isPresent()) {
          HostPort metrics = s.metrics().listen().get();
          int metricsPort =
              await(
                  MetricsServer.listen(p.vertx, metrics, (PrometheusMeterRegistry) p.registry),
                  "serve metrics on " + metrics);
          p.metricsAddress = Optional.of(metrics.withPort(metricsPort));
        }
        p.publisher =
            new HeartbeatPublisher(
                p.id,
                hostName(),
                version(),
                kafka,
                names,
                s.heartbeat(),
                clock,
                random,
                p.registry);
        p.closer.register(p.publisher);
        p.publisher.start();
        p.catalog.open(p.publisher);
        if (p.catalog.watchesResources()) {
          Path dir = dataDir.resolve("state");
          p.watcher =
              new ResourceWatcher(
                  dir, kafka.forClient("resources"), names, p.catalog, clock, p.registry);
          p.closer.register(p.watcher);
          p.watcher.start();
        }
      } catch (RuntimeException e) {
        abort(p, e);
        throw e instanceof AgentException ae
            ? ae
            : new AgentException("agent " + p.id + " cannot start: " + e.getMessage(), e);
      }
      Agent agent = new Agent(p);
      LOG.info(
          "agent {} dialing its tunnel to {}, serving {} resources{}{}",
          p.id,
          s.proxy(),
          p.catalog.size(),
          p.watcher == null ? "" : " (watching " + names.of(Topic.RESOURCES) + ")",
          p.metricsAddress.map(a -> ", metrics at http://" + a + "/metrics").orElse(""));
      return agent;
    }

    /**
     * The cluster as every client of agent {@code id} reaches it. Kafka's clients reconnect and
     * retry by themselves with exponential back-off and 20% jitter; these bounds keep a restarted
     * cluster from being hit by a fleet in lock-step and an agent from waiting long after the
     * cluster is back.
     */
    private static KafkaSettings kafkaSettings(String bootstrap, String id) {
      return KafkaSettings.of(bootstrap)
          .withClientId("gatehouse-agent-" + id)
          .with(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, "100")
          .with(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "10000")
          .with(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, "100")
          .with(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, "5000");
    }

    /**
     * The credentials in the data directory; on a first start with {@code agent.join}, joins the
     * cluster through {@code agent.proxy} and stores what it is given.
     */
    private AgentCredentials credentials(AgentConfig.Settings s, Path dataDir, String id) {
      if (s.join().isPresent() && !AgentCredentials.exist(dataDir)) {
        AgentCredentials joined =
            AgentJoiner.join(
                s.proxy(),
                id,
                s.join().get(),
                enabledKinds(config),
                random instanceof SecureRandom sr ? sr : new SecureRandom(),
                s.relay().connectTimeout());
        joined.write(dataDir);
        LOG.info("agent {} joined the cluster through {}: {}", id, s.proxy(), joined);
        return joined;
      }
      return AgentCredentials.read(dataDir, id);
    }

    /** The kinds of the services this agent runs: what its certificate must allow. */
    private static java.util.Set<String> enabledKinds(AgentConfig config) {
      java.util.Set<String> kinds = new java.util.TreeSet<>();
      for (AgentConfig.Service service : config.services()) {
        if (service.enabled()) {
          kinds.add(service.kind().word());
        }
      }
      return kinds;
    }

    private void abort(Parts p, Exception failure) {
      if (p.publisher != null) {
        p.publisher.goodbye(config.agent().shutdownTimeout());
      }
      p.closer.closeAll().ifPresent(failure::addSuppressed);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }

  /** The version this build reports in agent beats. */
  public static String version() {
    try (InputStream in = Agent.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "dev");
      return v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
