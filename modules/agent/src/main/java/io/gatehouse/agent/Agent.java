package io.gatehouse.agent;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.agent.internal.destination.RefusedDefinitions;
import io.gatehouse.agent.internal.health.HealthChecks;
import io.gatehouse.agent.internal.heartbeat.HeartbeatPublisher;
import io.gatehouse.agent.internal.metrics.MetricsServer;
import io.gatehouse.agent.internal.relay.RelayMetrics;
import io.gatehouse.agent.internal.relay.RelayServer;
import io.gatehouse.agent.internal.tunnel.AgentJoiner;
import io.gatehouse.agent.internal.tunnel.ControlListener;
import io.gatehouse.agent.internal.tunnel.ProxyLinks;
import io.gatehouse.agent.internal.watch.ResourceWatcher;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.NodeId;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: it serves the static resources of its configuration and the dynamic ones its
 * selectors match among the definitions a proxy streams to it, tells its proxies what it serves
 * (they write the heartbeats), and relays proxies' sessions to the upstreams. It is not a Kafka
 * client: everything goes over the tunnels it dials.
 *
 * <p>Lifecycle: {@link #start(AgentConfig)} returns once the agent has its credentials (joining
 * with {@code agent.join} on a first start) and its tunnel to {@code agent.proxy} is being dialed;
 * it opens no port for proxies: every session arrives on a tunnel it dialed, and it keeps one to
 * every proxy the first one tells it of. When {@code agent.metrics.listen} is set, {@code GET
 * /metrics} answers there in the Prometheus text format. {@link #close()} is the graceful stop: new
 * sessions are refused with {@code 503 draining}, every proxy is told the agent is draining, the
 * primary proxy tombstones its heartbeats, then the tunnels (so every proxy drops the agent at
 * once) and every open session are closed. {@link #kill()} stops without a word, as a crash would.
 * Both are idempotent. Registering a SIGTERM hook that calls {@code close()} is the caller's job.
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
   * True once a proxy has sent the agent every resource definition it had (at once when no service
   * has a dynamic watcher).
   */
  public boolean isCaughtUp() {
    return watcher == null || watcher.isCaughtUp();
  }

  /**
   * Graceful stop: refuses new sessions, tells every proxy it is draining, asks the primary proxy
   * to tombstone its heartbeats and waits (at most {@code agent.shutdown_timeout}) for it to
   * confirm Kafka has them, then closes what start opened in reverse: the tunnels, the heartbeat
   * publisher, and last Vert.x with open sessions. Idempotent.
   *
   * @throws AgentException after closing everything, if some part failed to close
   */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    LOG.info("agent {} stopping: tombstoning its {} heartbeats", id, catalog.size());
    relay.drain();
    publisher.draining();
    boolean acknowledged = publisher.goodbye(config.agent().shutdownTimeout());
    release(true);
    LOG.info(
        "agent {} stopped{}",
        id,
        acknowledged ? "" : " (goodbye not acknowledged; proxies expire it by TTL)");
  }

  /**
   * Stops at once without a goodbye, as a crash would: the tunnels close, so every proxy takes the
   * agent out of rotation, and its heartbeats expire by their TTL. For tests and emergencies.
   * Idempotent.
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
   * start and {@link #close} both release in the reverse order: the tunnels, the heartbeat
   * publisher, and last Vert.x with open sessions.
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
    private String hosts;

    private Builder(AgentConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The clock certificate renewal and health-check times are judged by; tests inject one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Randomness for the id suffix and the redial back-off; tests seed it. */
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
     * Names the relay resolves upstream hosts with, in the format of {@code /etc/hosts}, instead of
     * the system's hosts file (DNS still answers for the other names). For tests that need a name
     * to resolve to a chosen address without DNS.
     */
    public Builder hosts(String hostsFile) {
      this.hosts = Objects.requireNonNull(hostsFile, "hostsFile");
      return this;
    }

    /**
     * Starts the agent.
     *
     * @throws AgentException when the agent has no credentials and cannot join, the metrics address
     *     cannot be bound, or a metrics port is configured with a registry that is not Prometheus;
     *     whatever was started is stopped again
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
      try {
        ProxyDirectory proxies = new ProxyDirectory();
        p.catalog =
            new ResourceCatalog(p.id, config, proxies, new RefusedDefinitions(p.id, p.registry));
        // Native epoll where it loads (Linux), else NIO: fewer syscalls and copies per record.
        VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
        if (hosts != null) {
          options.setAddressResolverOptions(
              new AddressResolverOptions().setHostsValue(Buffer.buffer(hosts)));
        }
        p.vertx = p.closer.register(Vertx.vertx(options), v -> await(v.close(), "close the relay"));
        p.relay =
            new RelayServer(
                p.vertx, p.id, s.relay(), p.catalog, new RelayMetrics(p.registry), proxies);
        AgentCredentials credentials = credentials(s, dataDir, p.id);
        p.publisher = new HeartbeatPublisher(p.id, s.zone(), p.registry);
        p.closer.register(p.publisher);
        if (p.catalog.watchesResources()) {
          p.watcher = new ResourceWatcher(p.catalog, p.publisher, p.registry);
        }
        p.links =
            p.closer.register(
                new ProxyLinks(
                    (VertxInternal) p.vertx,
                    p.id,
                    new TunnelDialer(
                            ((VertxInternal) p.vertx).nettyEventLoopGroup(),
                            ((VertxInternal) p.vertx).transport().channelFactory(false),
                            credentials.clientContext(),
                            TunnelSettings.DEFAULTS,
                            s.relay().connectTimeout())
                        .userAgent("gatehouse-agent/" + version()),
                    p.relay,
                    random,
                    proxies));
        p.links.onControl(controlListener(p.publisher, p.watcher));
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
        HeartbeatPublisher heartbeats = p.publisher;
        HealthChecks checks =
            p.closer.register(
                new HealthChecks(
                    p.id,
                    p.vertx,
                    p.catalog::lookup,
                    p.relay.probe()::check,
                    heartbeats,
                    heartbeats::health,
                    clock,
                    random,
                    p.registry));
        p.relay.onUpstreamRefused(checks::refused);
        p.catalog.open(checks);
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
          p.watcher == null ? "" : " (watching resource definitions through the proxy)",
          p.metricsAddress.map(a -> ", metrics at http://" + a + "/metrics").orElse(""));
      return agent;
    }

    /** Hands the control streams' lines to the heartbeat publisher and the resource watcher. */
    private static ControlListener controlListener(
        HeartbeatPublisher publisher, ResourceWatcher watcher) {
      return new ControlListener() {
        @Override
        public void opened(String proxyId, TunnelStream stream) {
          publisher.opened(proxyId, stream);
        }

        @Override
        public void line(String proxyId, TunnelStream stream, JsonObject message) {
          publisher.answered(proxyId, message);
          if (watcher != null) {
            watcher.line(stream, message);
          }
        }

        @Override
        public void closed(String proxyId, TunnelStream stream) {
          publisher.closed(proxyId, stream);
        }
      };
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

  /** The version of this build. */
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
