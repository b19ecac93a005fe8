package io.gatehouse.cli.dev;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one process, all on loopback: an embedded Kafka broker (KRaft) with its data
 * under {@code dataDir/kafka}, a proxy, {@code agents} agents and the demo upstreams — an HTTP echo
 * app {@code demo} and a TCP echo {@code echo}. The proxy's cluster secret is {@code
 * dataDir/ca/cluster.secret}, made on the first start and kept, so sessions survive a restart and a
 * proxy started next to dev mode with the default {@code ca.dir} shares them. Closing stops the
 * agents first (so their tombstones reach Kafka), then the proxy, the upstreams and the broker.
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

  /** What {@code gatehouse dev} takes from its flags. */
  public record Settings(
      int webPort, int kafkaPort, Path dataDir, int agents, int demoHttpPort, int demoTcpPort) {
    public static Settings defaults() {
      return new Settings(3080, 9092, Path.of(".gatehouse"), 2, 3090, 3091);
    }
  }

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
    progress.accept("starting proxy on 127.0.0.1:" + settings.webPort());
    Path ca = data.resolve("ca");
    if (!Files.exists(ca.resolve(ClusterSecret.FILE))) {
      // What `gatehouse ca init` also writes; dev mode needs only the secret that keys sessions.
      ClusterSecret.generate(new SecureRandom()).write(ca);
    }
    proxy =
        Proxy.start(
            ProxyConfig.parse(
                String.join(
                    "\n",
                    "proxy:",
                    "  id: dev-proxy",
                    "  kafka: { bootstrap: \"" + kafka.bootstrapServers() + "\" }",
                    "  data_dir: \"" + data.resolve("proxy") + "\"",
                    "  ca: { dir: \"" + ca + "\" }",
                    "  listen: \"127.0.0.1:" + settings.webPort() + "\"",
                    "  public_host: localhost"),
                "gatehouse dev"));
    closer.register(proxy);
    for (int i = 1; i <= settings.agents(); i++) {
      progress.accept("starting agent dev-agent-" + i);
      agents.add(
          closer.register(
              Agent.start(
                  AgentConfig.parse(agentYaml(i, data), "gatehouse dev (agent " + i + ")"))));
    }
  }

  private String agentYaml(int i, Path data) {
    return String.join(
        "\n",
        "agent:",
        "  id: dev-agent-" + i,
        "  kafka: { bootstrap: \"" + kafka.bootstrapServers() + "\" }",
        "  listen: \"127.0.0.1:0\"",
        "  metrics: { listen: \"127.0.0.1:0\" }",
        "  data_dir: \"" + data.resolve("agent-" + i) + "\"",
        "app_service:",
        "  enabled: true",
        "  apps:",
        "    - { name: demo, uri: \"http://127.0.0.1:"
            + demoHttp.port()
            + "\", labels: { env: dev } }",
        "    - { name: echo, uri: \"tcp://127.0.0.1:"
            + demoTcp.port()
            + "\", labels: { env: dev } }",
        "  resources: [ { labels: { \"*\": \"*\" } } ]",
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

  /** Blocks until the proxy has caught up with Kafka and every agent's beat is visible. */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!proxy.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("proxy not ready after " + timeout);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
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
    return "http://" + proxy.webAddress();
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
        + " agents | try: curl -H 'Host: demo.localhost' "
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
