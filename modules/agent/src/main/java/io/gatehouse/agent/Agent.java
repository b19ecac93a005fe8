package io.gatehouse.agent;

import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.agent.internal.destination.RefusedDefinitions;
import io.gatehouse.agent.internal.health.HealthChecks;
import io.gatehouse.agent.internal.heartbeat.HeartbeatPublisher;
import io.gatehouse.agent.internal.metrics.MetricsServer;
import io.gatehouse.agent.internal.relay.OpenSessions;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * /metrics} answers there in the Prometheus text format. {@link #close()} is the graceful stop, the
 * drain: new sessions are refused with {@code 503 draining}, every proxy is told the agent is
 * draining, open sessions get up to {@code agent.drain_timeout} to end, the primary proxy
 * tombstones its heartbeats, then the tunnels (so every proxy drops the agent at once) and any
 * session still open are closed. A proxy's {@code {"drain":true}} ({@code gatehouse agents drain})
 * runs the same stop on a thread of its own; {@link #stopped} tells when it is over. {@link
 * #kill()} stops without a word, as a crash would. Both are idempotent. Registering a SIGTERM hook
 * that calls {@code close()} is the caller's job.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final Duration VERTX_TIMEOUT = Duration.ofSeconds(10);

  /** How often a draining agent tells the proxies how many sessions it still has, at most. */
  private static final Duration DRAIN_REPORT = Duration.ofSeconds(1);

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
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  /** Completed by {@link #kill}: a drain under way stops waiting. */
  private final CompletableFuture<Void> killed = new CompletableFuture<>();

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
    p.drains.complete(this::drainRequested);
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

  /** Whether a stop has begun: the agent takes no new session. */
  public boolean isDraining() {
    return stopping.get();
  }

  /** The sessions the agent is relaying right now (HTTP requests, WebSockets, TCP sessions). */
  public int openSessions() {
    return relay.sessions().count();
  }

  /**
   * Completes once the agent has stopped: by {@link #close}, {@link #kill}, or on its own after a
   * proxy asked it to drain ({@code gatehouse agents drain}). The CLI exits then.
   */
  public CompletionStage<Void> stopped() {
    return stopped.minimalCompletionStage();
  }

  /**
   * Graceful stop, the drain: refuses new sessions ({@code 503 draining}) and tells every proxy at
   * once that it is draining and how many sessions it still has; lets those sessions finish, for at
   * most {@code agent.drain_timeout}, telling the proxies the count as it falls (at most once a
   * second); then asks the primary proxy to tombstone its heartbeats and waits (at most {@code
   * agent.shutdown_timeout}) for it to confirm Kafka has them, and closes what start opened in
   * reverse: the tunnels (and with them any session still open), the heartbeat publisher, and last
   * Vert.x. Idempotent; a call while a stop is under way returns once it is done.
   *
   * @throws AgentException after closing everything, if some part failed to close
   */
  @Override
  public void close() {
    if (!stopping.compareAndSet(false, true)) {
      stopped.join();
      return;
    }
    try {
      OpenSessions sessions = relay.sessions();
      relay.drain();
      publisher.draining(sessions.count());
      drain(sessions, config.agent().drainTimeout());
      LOG.info("agent {} stopping: tombstoning its {} heartbeats", id, catalog.size());
      boolean acknowledged = publisher.goodbye(config.agent().shutdownTimeout());
      release(true);
      LOG.info(
          "agent {} stopped{}",
          id,
          acknowledged ? "" : " (goodbye not acknowledged; proxies expire it by TTL)");
    } finally {
      stopped.complete(null);
    }
  }

  /**
   * Waits until no session is open, at most {@code timeout} (or until {@link #kill}), telling the
   * proxies the count each time it changed, at most once every {@link #DRAIN_REPORT}.
   */
  private void drain(OpenSessions sessions, Duration timeout) {
    int open = sessions.count();
    if (open == 0) {
      LOG.info("agent {} draining: no session open", id);
      return;
    }
    LOG.info(
        "agent {} draining: {} sessions open; waiting at most {} for them to end",
        id,
        open,
        timeout);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (open > 0 && !killed.isDone()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        CompletableFuture.anyOf(sessions.none(), killed)
            .get(Math.min(left, DRAIN_REPORT.toNanos()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // Time to tell the proxies how many are left.
      } catch (ExecutionException e) {
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      open = sessions.count();
      publisher.draining(open);
    }
    long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
    if (open == 0) {
      LOG.info("agent {} drained: its last session ended after {} ms", id, waited);
    } else {
      LOG.info(
          "agent {} drain ended after {} ms with {} sessions open: closing them", id, waited, open);
    }
  }

  /**
   * A proxy asked the agent to drain ({@code gatehouse agents drain}): the graceful stop runs on a
   * thread of its own, and {@link #stopped} completes when it is done. Ignored once stopping.
   */
  private void drainRequested(String proxyId) {
    if (stopping.get()) {
      return;
    }
    LOG.info("agent {}: proxy {} asks it to drain and stop", id, proxyId);
    Thread drain =
        new Thread(
            () -> {
              try {
                close();
              } catch (RuntimeException e) {
                LOG.warn("agent {}: stopping after a drain failed: {}", id, e.getMessage());
              }
            },
            "gatehouse-agent-drain-" + id);
    drain.start();
  }

  /**
   * Stops at once without a goodbye, as a crash would: the tunnels close, so every proxy takes the
   * agent out of rotation, and its heartbeats expire by their TTL. For tests and emergencies. A
   * drain under way ends at once, as if its timeout had passed. Idempotent.
   */
  public void kill() {
    killed.complete(null);
    if (!stopping.compareAndSet(false, true)) {
      publisher.kill();
      return;
    }
    try {
      publisher.kill();
      release(false);
      LOG.info("agent {} killed", id);
    } finally {
      stopped.complete(null);
    }
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

    /** Who hears a proxy's {@code {"drain":true}}: the agent, once it exists. */
    final CompletableFuture<java.util.function.Consumer<String>> drains = new CompletableFuture<>();
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
        p.links.onControl(controlListener(p.publisher, p.watcher, p.drains));
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
        HeartbeatPublisher publisher,
        ResourceWatcher watcher,
        CompletableFuture<java.util.function.Consumer<String>> drains) {
      return new ControlListener() {
        @Override
        public void opened(String proxyId, TunnelStream stream) {
          publisher.opened(proxyId, stream);
        }

        @Override
        public void line(String proxyId, TunnelStream stream, JsonObject message) {
          publisher.answered(proxyId, message);
          if (Boolean.TRUE.equals(message.getValue("drain"))) {
            // A line that comes before start returned waits for the agent it asks.
            drains.thenAccept(d -> d.accept(proxyId));
          }
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
