package io.gatehouse.cli.dev;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.cli.profile.Profile;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.auth.Accounts;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.join.IssuedToken;
import io.gatehouse.proxy.join.JoinTokens;
import io.gatehouse.proxy.join.TokenRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one process, all on loopback: an embedded Kafka broker (KRaft) with its data
 * under {@code dataDir/kafka}, a proxy, {@code agents} agents and the demo upstreams — an HTTP echo
 * app {@code demo} and a TCP echo {@code echo}.
 *
 * <p>Trust: the cluster CA lives in {@code dataDir/ca} ({@code ca.key}, {@code ca.crt}, {@code
 * cluster.secret}), made on the first start and kept, so sessions and the CA pin survive a restart
 * and a proxy started next to dev mode with the default {@code ca.dir} shares them. The proxy's
 * port speaks TLS with a certificate from that CA. Each dev agent joins on its first start with a
 * one-use token made here, as any agent would (so does the sample agent of {@code
 * infra/examples/agent.yaml}, with a token from {@code tokens add}, finding the CA pin in {@code
 * dataDir/ca.pin}), keeps its key and certificate in {@code dataDir/agent-N}, and dials the proxy.
 *
 * <p>Files for people: {@code dataDir/proxy.yaml} (the proxy's configuration, for operator
 * commands), {@code dataDir/admin.profile} (the CLI's profile: proxy URL and CA file) and, when
 * {@link Settings#cliProfile} names one, the CLI's default profile: written when it is missing or
 * was written by dev mode before (its first line says so), never when it is a user's own.
 *
 * <p>Closing stops the agents first (so their tombstones reach Kafka), then the proxy, the
 * upstreams and the broker.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

  private final Settings settings;
  private EmbeddedKafka kafka;
  private EchoHttpServer demoHttp;
  private EchoTcpServer demoTcp;
  private Proxy proxy;
  private final List<Agent> agents = new ArrayList<>();
  private final Closer closer = new Closer();

  private DevStack(Settings settings) {
    this.settings = settings;
  }

  /** How long a certificate lasts that dev mode replaces from its CA (a joined one lasts 24 h). */
  static final Duration AGENT_CERT_LIFETIME = Duration.ofDays(30);

  private static final Set<String> ALL_KINDS =
      Arrays.stream(ResourceKind.values()).map(ResourceKind::word).collect(Collectors.toSet());

  /**
   * What {@code gatehouse dev} takes from its flags.
   *
   * @param cliProfile the CLI's default profile to point at dev mode ({@code ~/.gatehouse/profile}
   *     for {@code gatehouse dev}); empty leaves every profile but {@code dataDir/admin.profile}
   *     alone (tests)
   */
  public record Settings(
      int webPort,
      int kafkaPort,
      Path dataDir,
      int agents,
      int demoHttpPort,
      int demoTcpPort,
      Optional<Path> cliProfile) {
    /** Settings that touch no profile outside {@code dataDir}. */
    public Settings(
        int webPort, int kafkaPort, Path dataDir, int agents, int demoHttpPort, int demoTcpPort) {
      this(webPort, kafkaPort, dataDir, agents, demoHttpPort, demoTcpPort, Optional.empty());
    }

    public static Settings defaults() {
      return new Settings(
          3080, 9092, Path.of(".gatehouse"), 2, 3090, 3091, Optional.of(Profile.defaultFile()));
    }
  }

  private ClusterCa ca;
  private Path adminProfile;
  private String loginLink;
  private String adminCredential;

  /** The user dev mode makes, holding the built-in admin role. */
  public static final String ADMIN = "admin";

  private Optional<Path> defaultProfile = Optional.empty();

  /** Starts every part; on failure stops what already started and rethrows. */
  public static DevStack start(Settings settings, Consumer<String> progress) {
    DevStack stack = new DevStack(settings);
    try {
      stack.startAll(progress);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(Consumer<String> progress) {
    Path data = settings.dataDir().toAbsolutePath();
    progress.accept(
        "starting Kafka (KRaft) on 127.0.0.1:"
            + settings.kafkaPort()
            + ", data in "
            + data.resolve("kafka"));
    kafka =
        EmbeddedKafka.builder()
            .port(settings.kafkaPort())
            .dataDir(data.resolve("kafka"))
            .build()
            .start();
    closer.register(kafka);
    try {
      demoHttp = closer.register(EchoHttpServer.start(settings.demoHttpPort()));
      demoTcp = closer.register(EchoTcpServer.start(settings.demoTcpPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the demo upstreams on 127.0.0.1:"
              + settings.demoHttpPort()
              + "/"
              + settings.demoTcpPort()
              + ": "
              + e.getMessage(),
          e);
    }
    Path caDir = data.resolve("ca");
    ca = clusterCa(caDir, progress);
    progress.accept("starting proxy on https://127.0.0.1:" + settings.webPort());
    Path proxyYaml = data.resolve("proxy.yaml");
    write(
        proxyYaml,
        String.join(
            "\n",
            "# The proxy of gatehouse dev, as it ran last; for operator commands (-c this file).",
            "proxy:",
            "  id: dev-proxy",
            "  kafka: { bootstrap: \"" + kafka.bootstrapServers() + "\" }",
            "  data_dir: \"" + data.resolve("proxy") + "\"",
            "  ca: { dir: \"" + caDir + "\" }",
            "  listen: \"127.0.0.1:" + settings.webPort() + "\"",
            "  public_host: localhost",
            ""));
    proxy = Proxy.start(ProxyConfig.load(proxyYaml));
    closer.register(proxy);
    String credential = admin(progress);
    adminCredential = credential;
    adminProfile = data.resolve("admin.profile");
    Profile admin =
        new Profile(
            adminProfile.toString(),
            URI.create(webUrl()),
            Optional.of(caDir.resolve(ClusterCa.CERT_FILE)),
            Optional.of(credential));
    admin.write(
        adminProfile,
        DefaultProfile.MARKER + " for its data dir " + data + "; rewritten at every start.");
    defaultProfile =
        settings.cliProfile().filter(file -> DefaultProfile.install(admin, file, progress));
    // The sample agent of the README's tour joins with a token; it finds the pin here.
    writePin(data.resolve(CA_PIN_FILE), ca.pin().toString());
    for (int i = 1; i <= settings.agents(); i++) {
      progress.accept("starting agent dev-agent-" + i);
      Path agentDir = data.resolve("agent-" + i);
      String join = joinBlock("dev-agent-" + i, agentDir, progress);
      agents.add(
          closer.register(
              Agent.start(
                  AgentConfig.parse(
                      agentYaml(i, agentDir, join), "gatehouse dev (agent " + i + ")"))));
    }
  }

  /**
   * Makes sure the dev admin ({@value #ADMIN}, built-in role {@code admin}, no password: the admin
   * profile's credential and the login link are how dev mode logs in) exists and this proxy has
   * read it; returns a credential for the admin profile, and keeps a one-time login link for the
   * browser.
   */
  private String admin(Consumer<String> progress) {
    Accounts accounts = proxy.accounts();
    // Once the proxy has read its state: a restart keeps the admin (and so the browser's login).
    await("the proxy to read its state", proxy::isReady);
    if (!accounts.knows(ADMIN)) {
      progress.accept("creating the dev admin user " + ADMIN);
      try {
        accounts
            .put(ADMIN, List.of("admin"), null, "gatehouse dev")
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("cannot write the dev admin user to Kafka: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted writing the dev admin user", e);
      }
      await("the proxy to read the dev admin user", () -> accounts.knows(ADMIN));
    }
    loginLink =
        webUrl() + "/v1/login/link?code=" + accounts.loginLinkCode(ADMIN, Duration.ofMinutes(15));
    return accounts.credential(ADMIN, proxy.config().auth().credentialTtl());
  }

  private static void await(String what, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting 60 s for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** The dev admin's credential, as written in {@link #adminProfile()}. */
  public String adminCredential() {
    return adminCredential;
  }

  /**
   * A one-time login link for the browser (valid 15 minutes, once): opening it logs the browser in
   * as the dev admin and shows the dashboard.
   */
  public String loginLink() {
    return loginLink;
  }

  /**
   * The CA in {@code dir}, made on the first start. A directory from before dev mode had a CA holds
   * only a cluster secret: it is replaced (dev sessions are forgotten once), as {@code ca init}
   * never overwrites one.
   */
  private static ClusterCa clusterCa(Path dir, Consumer<String> progress) {
    if (Files.exists(dir.resolve(ClusterCa.CERT_FILE))) {
      return ClusterCa.load(dir);
    }
    Path secret = dir.resolve(ClusterSecret.FILE);
    try {
      if (Files.exists(secret) && !Files.exists(dir.resolve(ClusterCa.KEY_FILE))) {
        progress.accept("replacing " + secret + " (made before dev mode had a CA)");
        Files.delete(secret);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + secret + ": " + e.getMessage(), e);
    }
    progress.accept("creating the cluster CA in " + dir);
    return ClusterCa.init(dir, Clock.systemUTC(), new SecureRandom());
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * How dev agent {@code agentId} gets its certificate: on a first start it joins as any agent
   * would, with a one-use token made here (the {@code agent.join} lines returned); a later start
   * reuses what it stored, renewed over its tunnel while it runs. A certificate that ran out while
   * dev mode was stopped (or has less than a third of its life left) is replaced from the dev CA
   * directly, as a join would be refused for an id already bound to a key.
   */
  private String joinBlock(String agentId, Path agentDir, Consumer<String> progress) {
    if (AgentCredentials.exist(agentDir)) {
      X509Certificate leaf = AgentCredentials.read(agentDir, agentId).own().chain().get(0);
      Instant notAfter = leaf.getNotAfter().toInstant();
      Duration life = Duration.between(leaf.getNotBefore().toInstant(), notAfter);
      if (Instant.now().plus(life.dividedBy(3)).isBefore(notAfter)) {
        return "";
      }
      progress.accept("renewing the certificate of " + agentId + " from the dev CA");
      AgentCredentials.issue(ca, agentId, ALL_KINDS, AGENT_CERT_LIFETIME, new SecureRandom())
          .write(agentDir);
      return "";
    }
    JoinTokens tokens = proxy.joinTokens();
    IssuedToken token =
        tokens
            .add(
                new TokenRequest(
                    EnumSet.allOf(ResourceKind.class),
                    Duration.ofMinutes(10),
                    OptionalInt.of(1),
                    "gatehouse dev",
                    "first start of " + agentId))
            .toCompletableFuture()
            .join();
    // The proxy decides a join from its own copy of the tokens topic: wait until it has this one.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (tokens.token(token.info().id()).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the proxy did not see the join token of " + agentId);
      }
      LockSupport.parkNanos(10_000_000L);
    }
    progress.accept(agentId + " joins with a one-use token (" + token.info().id() + ")");
    return String.join(
        "\n",
        "  join:",
        "    token: \"" + token.token() + "\"",
        "    ca_pin: \"" + ca.pin() + "\"",
        "");
  }

  private String agentYaml(int i, Path agentDir, String join) {
    return String.join(
        "\n",
        "agent:",
        "  id: dev-agent-" + i,
        "  proxy: \"" + proxy.webAddress() + "\"",
        join.stripTrailing(),
        "  metrics: { listen: \"127.0.0.1:0\" }",
        // Ctrl-C on a laptop should not wait five minutes for a psql left open.
        "  drain_timeout: 5s",
        "  data_dir: \"" + agentDir + "\"",
        "app_service:",
        "  enabled: true",
        "  apps:",
        "    - { name: demo, uri: \"http://127.0.0.1:"
            + demoHttp.port()
            + "\", labels: { env: dev } }",
        "    - { name: echo, uri: \"tcp://127.0.0.1:"
            + demoTcp.port()
            + "\", labels: { env: dev } }",
        // Dynamic apps may point at the demo upstreams on loopback, and nowhere else there (not at
        // the proxy or Kafka): loopback is refused unless listed.
        "  resources: [ { labels: { \"*\": \"*\" }, destinations: [ \"127.0.0.1:"
            + demoHttp.port()
            + "\", \"127.0.0.1:"
            + demoTcp.port()
            + "\" ] } ]",
        "db_service:",
        "  enabled: true",
        "  resources: [ { labels: { \"*\": \"*\" } } ]",
        "desktop_service:",
        "  enabled: true",
        "  resources: [ { labels: { \"*\": \"*\" } } ]",
        "kubernetes_service:",
        "  enabled: true",
        "  resources: [ { labels: { \"*\": \"*\" } } ]",
        "");
  }

  /** Blocks until the proxy has caught up with Kafka and every agent has its tunnel up. */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!proxy.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("proxy not ready after " + timeout);
      }
      LockSupport.parkNanos(20_000_000L);
    }
    // Ready means the demo answers: every dev agent has its tunnel and its heartbeat at the proxy.
    for (String resource : List.of("demo", "echo")) {
      while (proxy.healthyAgents("app", resource).size() < agents.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "app/" + resource + " has not every dev agent in rotation after " + timeout);
        }
        LockSupport.parkNanos(20_000_000L);
      }
    }
  }

  /** The embedded broker, for tests that take Kafka away and bring it back. */
  public EmbeddedKafka kafka() {
    return kafka;
  }

  public String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  public String webUrl() {
    return "https://" + proxy.webAddress();
  }

  /** The cluster CA's certificate file: what curl's {@code --cacert} and profiles name. */
  public Path caFile() {
    return settings.dataDir().toAbsolutePath().resolve("ca").resolve(ClusterCa.CERT_FILE);
  }

  /** The cluster CA, which signed the proxy's and the agents' certificates. */
  public ClusterCa ca() {
    return ca;
  }

  /** {@code dataDir/admin.profile}: the proxy URL and the CA file, for the CLI. */
  public Path adminProfile() {
    return adminProfile;
  }

  /** The CLI's default profile, when dev mode made it point here. */
  public Optional<Path> defaultProfile() {
    return defaultProfile;
  }

  public Proxy proxy() {
    return proxy;
  }

  public List<Agent> agents() {
    return List.copyOf(agents);
  }

  public int demoHttpPort() {
    return demoHttp.port();
  }

  public int demoTcpPort() {
    return demoTcp.port();
  }

  /** {@code <data-dir>/ca.pin}: the CA pin, for {@code agent.join.ca_pin_file}. */
  public static final String CA_PIN_FILE = "ca.pin";

  private static void writePin(Path file, String pin) {
    try {
      Files.writeString(file, pin + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** What {@code gatehouse dev} prints before its ready line: how to trust and reach it. */
  public List<String> trustLines() {
    Path proxyYaml = settings.dataDir().toAbsolutePath().resolve("proxy.yaml");
    return List.of(
        "CA pin        " + ca.pin(),
        "join an agent gatehouse tokens add --kinds app,db --uses 1 -c " + proxyYaml,
        "CA file       " + caFile(),
        "admin profile "
            + adminProfile
            + defaultProfile
                .map(file -> " (copied to " + file + ", the CLI's default)")
                .orElse(" (use --profile or $GATEHOUSE_PROFILE)"),
        "proxy config  " + proxyYaml,
        "log in (browser, once, 15 min) " + loginLink);
  }

  /** The one line {@code gatehouse dev} prints when everything is up. */
  public String readyLine() {
    return "gatehouse dev ready: dashboard "
        + webUrl()
        + "/ | api "
        + webUrl()
        + "/v1/resources | kafka "
        + kafkaBootstrap()
        + " | "
        + agents.size()
        + " agents | try: curl --cacert "
        + caFile()
        + " -H 'Host: demo.localhost' "
        + webUrl()
        + "/";
  }

  /**
   * Stops what started in reverse: the agents first (their tombstones go out), then the proxy, the
   * upstreams and the broker. Never throws, so that a failed start reports its own cause; what
   * failed to stop is logged. Idempotent.
   */
  @Override
  public void close() {
    closer
        .closeAll()
        .ifPresent(
            failure -> {
              LOG.warn("stopping dev mode failed: {}", failure.toString());
              for (Throwable more : failure.getSuppressed()) {
                LOG.warn("stopping dev mode failed: {}", more.toString());
              }
            });
  }
}
