package io.gatehouse.proxy;

import io.gatehouse.access.AppAssertions;
import io.gatehouse.access.Credentials;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicSetup;
import io.gatehouse.lifecycle.Backoff;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.api.Api;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.Accounts;
import io.gatehouse.proxy.auth.ApiGuard;
import io.gatehouse.proxy.auth.AppLogin;
import io.gatehouse.proxy.auth.Authenticator;
import io.gatehouse.proxy.auth.IdentityAssertions;
import io.gatehouse.proxy.auth.LoginApi;
import io.gatehouse.proxy.auth.LoginThrottle;
import io.gatehouse.proxy.auth.OidcDiscovery;
import io.gatehouse.proxy.auth.SsoLogin;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.heartbeat.HeartbeatWriter;
import io.gatehouse.proxy.ingress.Ingress;
import io.gatehouse.proxy.join.AgentJoin;
import io.gatehouse.proxy.join.AgentKeys;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.listener.ConnectionGate;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.publish.KafkaEventPublisher;
import io.gatehouse.proxy.routing.AgentSelector;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.LocalTunnel;
import io.gatehouse.proxy.routing.ResourceLabels;
import io.gatehouse.proxy.routing.ResourceListing;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.proxy.session.SessionSweeper;
import io.gatehouse.proxy.tunnel.AgentArrivals;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.gatehouse.proxy.tunnel.ControlStream;
import io.gatehouse.proxy.tunnel.DefinitionFeed;
import io.gatehouse.proxy.tunnel.HandshakeGate;
import io.gatehouse.proxy.tunnel.PortTls;
import io.gatehouse.proxy.tunnel.ProxyAnnouncer;
import io.gatehouse.proxy.tunnel.ProxyDirectory;
import io.gatehouse.proxy.tunnel.TunnelMesh;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ErrorResponse;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * A running proxy: it materializes every contract topic into its local state, serves users and the
 * API on one web port, sends each new session to a random healthy agent and keeps it there.
 *
 * <p>{@link #start} returns once the web port is bound; it does not wait for Kafka. Until the
 * materializer has caught up with the topics, {@link #isReady()} is false and {@code /readyz}
 * answers 503, but sessions are already routed from whatever the local state holds (after a
 * restart, the table of the last run). Topics missing on the cluster are created in the background.
 *
 * <p>Session pins and audit events are keyed by the keyed hash of the session id ({@link
 * SessionKeys}) under the cluster secret, read at start from {@code <ca dir>/cluster.secret}: every
 * proxy of a cluster must have the same one, and a proxy without it does not start.
 *
 * <p>{@link #close()} stops what start opened, in reverse: the session sweeper; the web server and
 * open tunnels (each tunnel's end is audited) and the agents' connection pool; the pins, routing
 * table and the tunnel mesh; then the Kafka producer, after handing over what is queued; then the
 * materializer; then the state store. It is idempotent, closes everything before reporting the
 * first failure, and never closes a meter registry it was handed.
 */
public final class Proxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Proxy.class);
  private static final Duration VERTX_TIMEOUT = Duration.ofSeconds(15);

  /** How often expired locks (revoked credentials past their expiry) are forgotten. */
  private static final Duration LOCK_SWEEP = Duration.ofMinutes(1);

  /**
   * How long readiness waits, once the state has caught up, for the agents on other proxies to dial
   * this one: they redial within 2 s of it being up; an agent that cannot reach it must not keep it
   * out of rotation.
   */
  static final Duration AGENT_ARRIVAL_PATIENCE = Duration.ofSeconds(10);

  /** The proxy's key for apps' identity assertions, kept in its data directory across restarts. */
  static final String ASSERTION_KEY_FILE = "assertion-key.pem";

  /**
   * What the proxy reads: every materialized topic but the v1 agent beats, as liveness and the
   * agent list come from tunnels now. The beats' table is still opened, so the state directory of
   * an earlier version opens.
   */
  private static final List<Topic> READ =
      Topic.MATERIALIZED.stream().filter(t -> t != Topic.AGENTS).toList();

  private final ProxyConfig config;
  private final HostPort webAddress;
  private final Optional<HostPort> plaintextAddress;
  private final Materializer materializer;
  private final MeterRegistry registry;
  private final Closer closer;
  private final RoutingTable table;
  private final JoinTokens joinTokens;
  private final Accounts accounts;
  private final AtomicBoolean stopping;
  private final AgentArrivals arrivals;
  private final HandshakeGate handshakes;

  private Proxy(Parts p) {
    this.accounts = p.accounts;
    this.config = p.config;
    this.webAddress = p.webAddress;
    this.plaintextAddress = Optional.ofNullable(p.plaintextAddress);
    this.materializer = p.materializer;
    this.registry = p.registry;
    this.closer = p.closer;
    this.table = p.table;
    this.joinTokens = p.joinTokens;
    this.stopping = p.stopping;
    this.arrivals = p.arrivals;
    this.handshakes = p.handshakes;
  }

  /** What bounds the agents' TLS handshakes on the web port; for tests. */
  HandshakeGate handshakes() {
    return handshakes;
  }

  /**
   * This proxy's join tokens: what {@code gatehouse tokens} manages through Kafka, for a caller in
   * the same process (dev mode makes its agents' tokens here).
   */
  public JoinTokens joinTokens() {
    return joinTokens;
  }

  /**
   * Users and credentials made in this process: for dev mode (its admin and admin profile) and
   * tests; everyone else goes through the API.
   */
  public Accounts accounts() {
    return accounts;
  }

  /**
   * The agents that can take a new session for {@code kind/name} on this proxy right now (a live
   * tunnel here and a current heartbeat), by id; for a caller that must wait until a resource is
   * routable, such as dev mode before it says it is ready.
   */
  public java.util.List<String> healthyAgents(String kind, String name) {
    return io.gatehouse.proxy.routing.ResourceRef.parse(kind, name)
        .map(
            ref ->
                table.candidates(ref).stream()
                    .filter(
                        c -> c.health() == io.gatehouse.proxy.routing.AgentStatus.Health.HEALTHY)
                    .map(c -> c.agent().agentId())
                    .toList())
        .orElse(java.util.List.of());
  }

  /** Starts a proxy with the system clock, secure randomness and a Prometheus registry. */
  public static Proxy start(ProxyConfig config) {
    return builder(config).start();
  }

  /** Configures a proxy's clock, randomness and meter registry before starting it. */
  public static Builder builder(ProxyConfig config) {
    return new Builder(config);
  }

  /** The proxy's id, written in pins and audit events and sent to agents. */
  public String id() {
    return config.id();
  }

  /** The bound web address, with the actual port when port 0 was configured. */
  public HostPort webAddress() {
    return webAddress;
  }

  /** Where the plaintext listener bound ({@code proxy.plaintext_listen}), if there is one. */
  public Optional<HostPort> plaintextAddress() {
    return plaintextAddress;
  }

  public ProxyConfig config() {
    return config;
  }

  /** The registry the proxy's meters are in. */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /**
   * True once the materializer has caught up with the topics and the agents connected to other
   * proxies have their tunnels here too (at most {@link #AGENT_ARRIVAL_PATIENCE} after it caught
   * up), until a stop begins: what {@code /readyz} reports.
   */
  public boolean isReady() {
    return !stopping.get() && materializer.isCaughtUp() && arrivals.settled();
  }

  /**
   * Stops the proxy gracefully: {@code /readyz} answers 503 at once, while everything else is
   * served as before for {@code proxy.shutdown_delay}, so that the load balancers in front take the
   * proxy out of rotation before it refuses anyone; then it closes everything. Returns once closed.
   */
  @Override
  public void close() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    Duration delay = config.shutdownDelay();
    if (!delay.isZero()) {
      LOG.info(
          "proxy {} stopping: /readyz answers 503, serving {} ms more so that load balancers take"
              + " it out of rotation (proxy.shutdown_delay)",
          config.id(),
          delay.toMillis());
      serveOn(delay);
    }
    LOG.info("proxy {} stopping", config.id());
    closer.close(
        first ->
            new ProxyException(
                "proxy " + config.id() + " did not stop cleanly: " + first.getMessage(), first));
    LOG.info("proxy {} stopped", config.id());
  }

  /** Waits out the shutdown delay; an interrupt cuts it short and stops the proxy at once. */
  private static void serveOn(Duration delay) {
    long end = System.nanoTime() + delay.toNanos();
    while (System.nanoTime() < end) {
      java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(VERTX_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ProxyException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new ProxyException("timed out after " + VERTX_TIMEOUT + " trying to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProxyException("interrupted trying to " + what, e);
    }
  }

  @Override
  public String toString() {
    return "Proxy[" + config.id() + " at " + webAddress + "]";
  }

  /**
   * What start assembles. Each part is registered with the closer as it is opened, so a failed
   * start and {@link #close} both release in the reverse order: the session sweeper, tunnels and
   * the web server, Vert.x, pins, table and mesh, the producer (after handing over what is queued),
   * the materializer, topic setup, then the store.
   */
  private static final class Parts {
    final Closer closer = new Closer();
    final AtomicBoolean stopping = new AtomicBoolean();
    AgentArrivals arrivals;
    ProxyConfig config;
    HostPort webAddress;
    HostPort plaintextAddress;
    StateStore store;
    Materializer materializer;
    EventPublisher publisher;
    TopicSetup.Background topics;
    Vertx vertx;
    Ingress ingress;
    AgentTunnels tunnels;
    TunnelMesh mesh;
    RoutingTable table;
    JoinTokens joinTokens;
    SessionPins pins;
    MeterRegistry registry;
    Accounts accounts;
    HandshakeGate handshakes;
  }

  /** Starts a {@link Proxy} with injectable time, randomness and meters. */
  public static final class Builder {
    private final ProxyConfig config;
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = new SecureRandom();
    private MeterRegistry registry;
    private ClusterSecret secret;

    private Builder(ProxyConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The clock for pins, audit, ejection back-off, idle expiry and stream time; tests inject one.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Randomness for choosing among healthy agents; tests seed it. Session ids never use it. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Where meters are registered; the proxy never closes it. Default: a Prometheus registry,
     * exported at {@code /metrics}. Another registry works too, without {@code /metrics}.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The cluster secret that keys session pins, instead of reading {@code <ca dir>/}{@value
     * ClusterSecret#FILE}; for tests that start proxies without a CA directory. Proxies that share
     * sessions must share the secret.
     */
    public Builder clusterSecret(ClusterSecret secret) {
      this.secret = Objects.requireNonNull(secret, "secret");
      return this;
    }

    /**
     * Starts the proxy.
     *
     * @throws ProxyException when the cluster secret cannot be read (naming the file and {@code
     *     gatehouse ca init}), the state store cannot be opened or the web address cannot be bound;
     *     whatever was started is stopped again
     */
    public Proxy start() {
      ClusterSecret clusterSecret = secret != null ? secret : readSecret(config);
      SessionKeys keys = new SessionKeys(clusterSecret);
      Parts p = new Parts();
      p.config = config;
      p.registry =
          registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      TopicNames names = new TopicNames(config.topicPrefix());
      KafkaSettings kafka = config.kafkaSettings();
      try {
        p.store =
            StateStore.open(
                config.dataDir().resolve("state"),
                Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
        p.closer.register(p.store);
        // In the background: the proxy routes from local state while Kafka is unreachable, and the
        // materializer waits for the topics on its own.
        p.topics =
            new TopicSetup(
                    kafka.forClient("admin"),
                    names,
                    List.of(Topic.values()),
                    config.topicReplication())
                .inBackground(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random));
        p.closer.register(p.topics);
        p.materializer =
            Materializer.builder(p.store, kafka)
                .topicNames(names)
                .topics(READ)
                .clock(clock)
                .meterRegistry(p.registry)
                .build()
                .start();
        p.closer.register(p.materializer);
        // Every resource's labels, read from the heartbeats table on a thread of its own while
        // this one builds the routing table from the same table: a restart on a large state reads
        // both at once.
        java.util.concurrent.CompletableFuture<ResourceLabels> labelsLoad =
            new java.util.concurrent.CompletableFuture<>();
        Thread loader =
            new Thread(
                () -> {
                  try {
                    labelsLoad.complete(new ResourceLabels(p.store, p.materializer.changes()));
                  } catch (RuntimeException e) {
                    labelsLoad.completeExceptionally(e);
                  }
                },
                "gatehouse-labels-load-" + config.id());
        loader.setDaemon(true);
        loader.start();
        p.closer.register(() -> loadedLabels(labelsLoad).close());
        p.publisher = new KafkaEventPublisher(kafka, names, p.registry);
        p.closer.register(p.publisher);
        Ejections ejections = new Ejections(clock, config.ejectBackoff());
        ClusterCa ca = ClusterCa.load(config.caDir());
        PortTls tls =
            PortTls.issue(
                ca, config.id(), config.publicHost(), config.listen(), config.edge().certificate());
        ProxyDirectory directory =
            p.closer.register(
                new ProxyDirectory(
                    p.store, p.materializer.changes(), p.materializer.streamClock()));
        Locks locks = p.closer.register(new Locks(p.store, p.materializer.changes(), clock));
        HeartbeatWriter heartbeats =
            p.closer.register(
                new HeartbeatWriter(
                    p.publisher, clock, config.heartbeatRefresh(), random, p.registry));
        DefinitionFeed definitions =
            new DefinitionFeed(p.store, p.materializer.changes(), p.materializer.caughtUp());
        ConnectionGate gate = new ConnectionGate(config.limits(), p.registry);
        p.tunnels =
            p.closer.register(
                new AgentTunnels(
                    config.id(),
                    TunnelSettings.DEFAULTS,
                    // More lanes than the port has event loops could never all be placed.
                    Math.min(config.tunnelLanes(), config.eventLoops()),
                    clock,
                    new ControlStream.Services(directory, ca, heartbeats, definitions),
                    locks,
                    p.publisher,
                    gate::trusted));
        p.mesh =
            p.closer.register(
                new TunnelMesh(config.id(), p.store, p.materializer.changes(), directory));
        AgentTunnels tunnels = p.tunnels;
        TunnelMesh mesh = p.mesh;
        // A crash leaves this proxy's records on the topic; once all are read, those of agents
        // that did not come back here go.
        Disposable sweep =
            p.materializer
                .caughtUp()
                .subscribe(
                    null,
                    e -> LOG.debug("no sweep of stale presence records: {}", e.toString()),
                    () -> tunnels.forgetStale(mesh.agentsRecordedBy(config.id())));
        p.closer.register(sweep::dispose);
        p.arrivals =
            new AgentArrivals(
                mesh::servingElsewhere, tunnels::isConnected, clock, AGENT_ARRIVAL_PATIENCE);
        AgentArrivals arrivals = p.arrivals;
        Disposable arrived =
            p.materializer
                .caughtUp()
                .subscribe(
                    null,
                    e -> LOG.debug("readiness: the state did not catch up: {}", e.toString()),
                    arrivals::caughtUp);
        p.closer.register(arrived::dispose);
        LocalTunnel.Lookup here =
            agentId ->
                tunnels
                    .get(agentId)
                    .map(
                        c ->
                            new LocalTunnel(
                                c.since(),
                                c.remote(),
                                c.draining() || mesh.isDraining(agentId),
                                c.targets()));
        p.table =
            new RoutingTable(
                p.store, p.materializer.changes(), p.materializer.streamClock(), ejections, here);
        p.closer.register(p.table, RoutingTable::close);
        RoutingTable table = p.table;
        p.pins =
            p.closer.register(
                new SessionPins(
                    p.store, p.materializer.changes(), p.publisher, clock, config.id(), keys));
        SessionPins pins = p.pins;
        AgentSelector selector =
            AgentSelector.pinnedFirst(table, config.routing(), pins::openOn, random);
        StateGauges.register(p.registry, table, pins, p.tunnels);
        AuditLog audit = new AuditLog(p.publisher, clock, config.id());
        Credentials credentials =
            new Credentials(clusterSecret.derive(ClusterSecret.Purpose.CREDENTIAL), clock);
        PasswordHasher hasher =
            new PasswordHasher(clusterSecret.derive(ClusterSecret.Purpose.PASSWORD_PEPPER));
        UserDirectory users =
            p.closer.register(new UserDirectory(p.store, p.materializer.changes(), locks));
        ResourceLabels labels = loadedLabels(labelsLoad);
        Authenticator authenticator = new Authenticator(credentials, users, clock);
        // Discovered in the background: a provider that is down does not stop the proxy.
        java.util.Optional<OidcDiscovery> oidc =
            config
                .auth()
                .oidc()
                .map(o -> p.closer.register(new OidcDiscovery(o, clock, config.id()).start()));
        AtomicInteger boundPort = new AtomicInteger();
        ApiGuard guard = new ApiGuard(authenticator, audit);
        p.accounts = new Accounts(p.publisher, hasher, credentials, users, clock);
        java.security.KeyPair assertionKey =
            AppAssertions.readOrCreate(config.dataDir().resolve(ASSERTION_KEY_FILE));
        AppLogin appLogin =
            new AppLogin(
                config.publicHost(),
                credentials,
                authenticator,
                config.auth().credentialTtl(),
                audit,
                clock);
        IdentityAssertions assertions =
            new IdentityAssertions(
                new AppAssertions(assertionKey, AppAssertions.keyIdOf(assertionKey), clock),
                directory,
                clock);
        p.vertx =
            p.closer.register(
                Vertx.vertx(
                    new VertxOptions()
                        .setPreferNativeTransport(true)
                        .setEventLoopPoolSize(config.eventLoops())),
                v -> await(v.close(), "close Vert.x"));
        p.ingress =
            new Ingress(
                p.vertx,
                config.id(),
                config.publicHost(),
                p.tunnels,
                config.responseTimeout(),
                config.sessionIdleTimeout(),
                table,
                selector,
                ejections,
                pins,
                audit,
                p.registry,
                new Ingress.Guard(authenticator, labels, assertions, appLogin));
        p.closer.register(p.ingress, Ingress::close);
        // A user whose access changed loses at once what they may no longer open; off the
        // materializer's thread, as ending HTTP sessions reads every pin.
        java.util.concurrent.ExecutorService revoker =
            java.util.concurrent.Executors.newSingleThreadExecutor(
                DaemonThreads.named("gatehouse-revoke-" + config.id()));
        p.closer.register(revoker, java.util.concurrent.ExecutorService::shutdownNow);
        Ingress ingress = p.ingress;
        users.onChange(
            user ->
                revoker.execute(
                    () ->
                        ingress.revoke(
                            user,
                            users.lock(user).isPresent()
                                ? java.util.Optional.empty()
                                : users.access(user))));
        p.joinTokens =
            p.closer.register(
                JoinTokens.open(
                    p.store,
                    p.materializer.changes(),
                    p.publisher,
                    clusterSecret,
                    audit,
                    clock,
                    config.id()));
        Api api =
            new Api(
                config.id(),
                clock,
                table,
                new ResourceListing(p.store, table),
                mesh,
                ejections,
                pins,
                audit,
                p.publisher,
                p.materializer,
                p.registry,
                new AgentJoin(
                    ca,
                    p.joinTokens,
                    p.closer.register(
                        new AgentKeys(
                            p.store, p.materializer.changes(), p.publisher, clock, config.id())),
                    locks),
                new Api.Security(
                    new io.gatehouse.proxy.auth.HostCheck(
                        config.publicHost(),
                        config.listen(),
                        java.util.Set.of(
                            "/healthz",
                            "/readyz",
                            Wire.AGENT_JOIN_PATH,
                            IdentityAssertions.JWKS_PATH)),
                    guard,
                    labels,
                    users,
                    hasher,
                    assertions,
                    appLogin,
                    new LoginApi(
                        config.auth(),
                        users,
                        hasher,
                        credentials,
                        new LoginThrottle(
                            clock,
                            config.auth().maxFailedLogins(),
                            config.auth().failedLoginWindow()),
                        guard,
                        audit,
                        authenticator,
                        clock),
                    new SsoLogin(
                        config.auth(),
                        oidc,
                        () ->
                            config
                                .auth()
                                .oidcRedirectUrl()
                                .orElseGet(
                                    () ->
                                        SsoLogin.defaultRedirectUrl(
                                            config.publicHost(), boundPort.get())),
                        users,
                        credentials,
                        audit,
                        clusterSecret,
                        clock)),
                new Api.Operations(locks, p.joinTokens, ca.pin(), p.tunnels),
                config.limits().maxEventSubscribers(),
                p.arrivals,
                p.stopping::get);
        p.handshakes = new HandshakeGate(config.limits().maxAgentHandshakes(), p.registry);
        int port =
            await(
                listen(
                    p.vertx,
                    config.listen(),
                    config.eventLoops(),
                    tls,
                    p.handshakes,
                    gate,
                    p.tunnels,
                    p.ingress,
                    api),
                "listen on " + config.listen());
        if (config.edge().plaintextListen().isPresent()) {
          HostPort plain = config.edge().plaintextListen().get();
          int plainPort =
              await(
                  listen(
                      p.vertx,
                      plain,
                      config.eventLoops(),
                      null,
                      null,
                      gate,
                      p.tunnels,
                      p.ingress,
                      api),
                  "listen on " + plain + " (proxy.plaintext_listen)");
          p.plaintextAddress = plain.withPort(plainPort);
          LOG.warn(
              "proxy {}: plaintext HTTP/1.1 on {} for a TLS-terminating balancer on this host"
                  + " (proxy.plaintext_listen); agents dial the TLS port",
              config.id(),
              p.plaintextAddress);
        }
        boundPort.set(port);
        p.webAddress = config.listen().withPort(port);
        // Where agents dial: the bound address, or the public host when bound to every address.
        HostPort advertised =
            p.webAddress.isWildcard() ? new HostPort(config.publicHost(), port) : p.webAddress;
        p.closer.register(
            new ProxyAnnouncer(
                config.id(), advertised, assertions.publicJwk(), p.publisher, clock));
        // Revocations expire with their credentials: forgotten then, so they do not pile up.
        long lockSweep = p.vertx.setPeriodic(LOCK_SWEEP.toMillis(), id -> locks.expire());
        p.closer.register(() -> p.vertx.cancelTimer(lockSweep));
        p.closer.register(
            new SessionSweeper(
                pins,
                audit,
                config.sessionIdleTimeout(),
                SessionSweeper.DEFAULT_INTERVAL,
                p.materializer.caughtUp(),
                p.ingress::isTunnelOpen));
      } catch (RuntimeException e) {
        p.closer.closeAll().ifPresent(e::addSuppressed);
        throw e instanceof ProxyException pe
            ? pe
            : new ProxyException("proxy " + config.id() + " cannot start: " + e.getMessage(), e);
      }
      LOG.info(
          "proxy {} serving on {} (apps at *.{}), state in {}, Kafka at {} ({})",
          config.id(),
          p.webAddress,
          config.publicHost(),
          config.dataDir(),
          config.kafkaBootstrap(),
          config.kafkaSecurity());
      return new Proxy(p);
    }

    /** The labels once loaded; what loading them threw, unchecked. */
    private static ResourceLabels loadedLabels(
        java.util.concurrent.CompletableFuture<ResourceLabels> load) {
      try {
        return load.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }

    private static ClusterSecret readSecret(ProxyConfig config) {
      try {
        return ClusterSecret.read(config.caDir());
      } catch (PkiException e) {
        // The message names the file and says to run `gatehouse ca init`; it never holds the key.
        throw new ProxyException(
            "proxy " + config.id() + " cannot start: " + e.getMessage() + " (proxy.ca.dir)", e);
      }
    }

    private static Future<Integer> listen(
        Vertx vertx,
        HostPort address,
        int loops,
        PortTls tls,
        HandshakeGate handshakes,
        ConnectionGate gate,
        AgentTunnels tunnels,
        Ingress ingress,
        Api api) {
      // Vert.x shares a port among server instances by its number; a negative number asks for one
      // free port shared by all instances of that number (0 would give each instance its own):
      // -1 for the TLS port, -2 for the plaintext listener, so the two never share.
      int port = address.port() == 0 ? (tls == null ? -2 : -1) : address.port();
      AtomicInteger bound = new AtomicInteger();
      return vertx
          .deployVerticle(
              () ->
                  new WebServer(
                      address.host(), port, bound, tls, handshakes, gate, tunnels, ingress, api),
              new DeploymentOptions().setInstances(loops))
          .map(id -> bound.get());
    }
  }

  /**
   * One HTTP server on one event loop: agent tunnels, then user traffic, then the API. Without
   * {@code tls} it is the plaintext listener: users only, agents are sent to the TLS port.
   */
  private static final class WebServer extends VerticleBase {
    /** What only agents ask for: their join and their tunnel. */
    private static final String AGENT_PATHS = "/v1/agent/";

    private final String host;
    private final int port;
    private final AtomicInteger bound;
    private final PortTls tls;
    private final HandshakeGate handshakes;
    private final ConnectionGate gate;
    private final AgentTunnels tunnels;
    private final Ingress ingress;
    private final Api api;

    WebServer(
        String host,
        int port,
        AtomicInteger bound,
        PortTls tls,
        HandshakeGate handshakes,
        ConnectionGate gate,
        AgentTunnels tunnels,
        Ingress ingress,
        Api api) {
      this.host = host;
      this.port = port;
      this.bound = bound;
      this.tls = tls;
      this.handshakes = handshakes;
      this.gate = gate;
      this.tunnels = tunnels;
      this.ingress = ingress;
      this.api = api;
    }

    @Override
    public Future<?> start() {
      Router router = api.router(vertx);
      HttpServerOptions options =
          new HttpServerOptions()
              .setTcpNoDelay(true)
              .setHandle100ContinueAutomatically(true)
              .setCompressionSupported(false);
      HttpServer server =
          vertx.createHttpServer(
              gate.apply(
                  tls == null
                      ? options.setHttp2ClearTextEnabled(false)
                      : tls.apply(options, handshakes)));
      return server
          .connectionHandler(gate::admit)
          .requestHandler(
              request -> {
                if (tls == null && request.path().startsWith(AGENT_PATHS)) {
                  ErrorResponse.send(
                      request,
                      ErrorCode.MISDIRECTED.status(),
                      ErrorCode.MISDIRECTED.code(),
                      null,
                      "agents join and dial the proxy's TLS port, not its plaintext listener");
                } else if (request.path().equals(Wire.AGENT_TUNNEL_PATH)) {
                  tunnels.accept(request);
                } else if (!ingress.handle(request)) {
                  router.handle(request);
                }
              })
          .listen(port, host)
          .onSuccess(s -> bound.set(s.actualPort()));
    }
  }
}
