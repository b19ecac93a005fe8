package io.gatehouse.broker;

import io.gatehouse.lifecycle.Closer;
import io.gatehouse.lifecycle.FileTree;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker in KRaft mode (combined broker and controller) running inside this JVM: a node
 * alone, for development mode and integration tests, or one node of a multi-node cluster ({@link
 * Builder#quorum}), which is how {@code gatehouse kafka node} runs a cluster from this project's
 * own jars.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>{@link #start()} returns only once the broker answers client requests, and fails with an
 *       {@link EmbeddedKafkaException} otherwise, after shutting down whatever it had started.
 *   <li>The bootstrap address is fixed by the first successful {@code start()} and stays the same
 *       across {@link #stop()} and {@code start()}, as does the data directory, so a restarted
 *       broker still has its topics and records.
 *   <li>The broker listens on the configured host only (loopback by default), without security,
 *       unless the builder was given a {@link SaslSslListener}: then its one client listener takes
 *       only TLS with SCRAM-SHA-512 logins, and only what an ACL allows (see {@link
 *       Builder#saslSsl}).
 *   <li>{@link #stop()} and {@link #close()} are idempotent; {@code close()} after a failed start
 *       is fine and deletes the temporary data directory, if there is one.
 * </ul>
 *
 * <p>The broker's threads are not daemons: they keep the JVM alive until the broker is stopped.
 * Always close it, in a {@code finally} block, a try-with-resources or a shutdown hook.
 *
 * <p>When logback is the logging backend, starting a broker sets Kafka's loggers ({@code kafka},
 * {@code org.apache.kafka}, {@code state.change.logger}) to WARN unless the application's logging
 * configuration gives them a level.
 *
 * <p>Instances are thread-safe: lifecycle methods are serialized.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  /** Attempts at binding ports chosen by this class, which another process may take meanwhile. */
  private static final int BIND_ATTEMPTS = 3;

  private final String host;
  private final int requestedPort;
  private final Path persistentDir;
  private final Map<String, String> overrides;
  private final Optional<SaslSslListener> secure;
  private final Optional<KafkaQuorum> quorum;

  // Written under the instance lock; volatile so accessors need not wait for a start in progress.
  private volatile int brokerPort;
  private volatile KafkaRaftServer server;
  private int controllerPort;
  private Path dataDir;
  private boolean everStarted;
  private boolean closed;

  private EmbeddedKafka(Builder builder) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.persistentDir = builder.dataDir;
    this.overrides = Map.copyOf(builder.properties);
    this.secure = Optional.ofNullable(builder.saslSsl);
    this.quorum = Optional.ofNullable(builder.quorum);
    this.brokerPort = builder.port;
    this.controllerPort = quorum.map(KafkaQuorum::ownControllerPort).orElse(0);
  }

  /** Returns a builder for a broker on a free loopback port with a temporary data directory. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the broker, formatting its data directory first if it is new, and blocks until the
   * broker answers client requests (typically a few seconds). Does nothing if it is running.
   *
   * @return this broker
   * @throws EmbeddedKafkaException if the broker cannot start; nothing it started is left running
   * @throws IllegalStateException if the broker was closed
   */
  public synchronized EmbeddedKafka start() {
    if (closed) {
      throw new IllegalStateException("EmbeddedKafka was closed; build a new one");
    }
    if (server != null) {
      return this;
    }
    KafkaLoggers.quietUnlessConfigured();
    long begin = System.nanoTime();
    Path logDir = logDir();
    for (int attempt = 1; ; attempt++) {
      assignPorts();
      try {
        server = launch(logDir);
        everStarted = true;
        break;
      } catch (EmbeddedKafkaException e) {
        if (!isPortTaken(e) || !portsArePicked() || attempt == BIND_ATTEMPTS) {
          throw e;
        }
        LOG.info(
            "Port {} or {} on {} was taken before the broker bound it; picking others",
            brokerPort,
            controllerPort,
            host);
        brokerPort = 0;
        controllerPort = 0;
      }
    }
    LOG.info(
        "Kafka broker {} started in {} ms with data in {}",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        dataDir);
    return this;
  }

  /**
   * Returns the address clients bootstrap from, {@code host:port}. It does not change across {@link
   * #stop()} and {@link #start()}.
   *
   * @throws IllegalStateException if the port is picked by the broker and it never started
   */
  public String bootstrapServers() {
    int port = brokerPort;
    if (port == 0) {
      throw new IllegalStateException("The broker picks its port on start(); call start() first");
    }
    return host + ":" + port;
  }

  /** The secured client listener, when the broker has one (then it has no plaintext one). */
  public Optional<SaslSslListener> saslSsl() {
    return secure;
  }

  /** Returns true between a successful {@link #start()} and the next {@link #stop()}. */
  public boolean isRunning() {
    return server != null;
  }

  /**
   * Shuts the broker down and waits until its threads have stopped. Keeps the data directory and
   * the ports, so {@link #start()} may be called again. Does nothing if the broker is not running.
   *
   * @throws EmbeddedKafkaException if Kafka fails while shutting down; the broker counts as stopped
   */
  public synchronized void stop() {
    KafkaRaftServer running = server;
    if (running == null) {
      return;
    }
    server = null;
    long begin = System.nanoTime();
    try {
      running.shutdown();
      running.awaitShutdown();
    } catch (RuntimeException e) {
      throw new EmbeddedKafkaException(
          "Kafka broker " + bootstrapServers() + " failed to shut down cleanly", e);
    }
    LOG.info(
        "Kafka broker {} stopped in {} ms",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  /**
   * Stops the broker, then deletes the data directory if it is a temporary one. Idempotent; the
   * broker cannot be started again afterwards.
   *
   * @throws EmbeddedKafkaException if the shutdown or the deletion failed; both are attempted
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Closer parts = new Closer();
    if (persistentDir == null && dataDir != null) {
      Path temporary = dataDir;
      parts.register(
          () -> {
            try {
              FileTree.delete(temporary);
            } catch (IOException e) {
              throw new EmbeddedKafkaException(
                  "Cannot delete the broker's temporary data directory " + temporary, e);
            }
          });
    }
    parts.register(this::stop);
    parts.close(
        e ->
            e instanceof EmbeddedKafkaException k
                ? k
                : new EmbeddedKafkaException("Kafka broker failed to stop: " + e.getMessage(), e));
  }

  @Override
  public String toString() {
    return "EmbeddedKafka["
        + (brokerPort == 0 ? host : bootstrapServers())
        + (isRunning() ? ", running" : "")
        + "]";
  }

  /** The data directory: the persistent one, or the temporary one once the broker started. */
  Path dataDir() {
    return persistentDir != null ? persistentDir : dataDir;
  }

  private Path logDir() {
    if (dataDir == null) {
      try {
        dataDir =
            persistentDir != null
                ? Files.createDirectories(persistentDir)
                : Files.createTempDirectory("gatehouse-kafka-");
      } catch (IOException e) {
        throw new EmbeddedKafkaException(
            "Cannot create the broker's data directory "
                + (persistentDir != null
                    ? persistentDir
                    : "in " + System.getProperty("java.io.tmpdir")),
            e);
      }
    }
    return dataDir.resolve("kraft");
  }

  private void assignPorts() {
    if (controllerPort != 0) {
      return;
    }
    int[] ports = FreePorts.pick(address(), 2);
    controllerPort = ports[1];
    if (brokerPort == 0) {
      brokerPort = ports[0];
    }
  }

  /** Ports may be re-picked until the first successful start has made the address public. */
  private boolean portsArePicked() {
    return requestedPort == 0 && !everStarted;
  }

  private KafkaRaftServer launch(Path logDir) {
    Properties props =
        BrokerConfig.of(host, brokerPort, controllerPort, logDir, secure, quorum, overrides);
    StorageFormat.formatIfNeeded(
        logDir, props, quorum, secure.map(SaslSslListener::users).orElse(Map.of()));
    KafkaConfig config;
    try {
      config = KafkaConfig.fromProps(props, false);
    } catch (RuntimeException e) {
      throw new EmbeddedKafkaException("Invalid Kafka broker configuration: " + e.getMessage(), e);
    }
    KafkaRaftServer candidate;
    try {
      candidate = new KafkaRaftServer(config, Time.SYSTEM);
    } catch (RuntimeException e) {
      throw new EmbeddedKafkaException(
          "Cannot open Kafka log directory " + logDir + ": " + e.getMessage(), e);
    }
    try {
      candidate.startup();
      awaitReady();
      return candidate;
    } catch (RuntimeException | Error e) {
      EmbeddedKafkaException failure =
          new EmbeddedKafkaException(
              "Kafka broker "
                  + host
                  + ":"
                  + brokerPort
                  + " (controller port "
                  + controllerPort
                  + ", data in "
                  + dataDir
                  + ") failed to start: "
                  + e.getMessage(),
              e);
      try {
        candidate.shutdown();
        candidate.awaitShutdown();
      } catch (RuntimeException shutdownFailure) {
        failure.addSuppressed(shutdownFailure);
      }
      throw failure;
    }
  }

  /**
   * Waits until the broker answers a client: startup() returning is Kafka's view, not a client's.
   */
  private void awaitReady() {
    Map<String, Object> config = new HashMap<>();
    secure.ifPresent(s -> config.putAll(s.clientProperties(s.superUser())));
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "gatehouse-embedded-kafka-readiness");
    try (Admin admin = Admin.create(config)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) READY_TIMEOUT.toMillis()))
          .nodes()
          .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new EmbeddedKafkaException(
          "Kafka broker "
              + bootstrapServers()
              + " did not answer describeCluster within "
              + READY_TIMEOUT.toSeconds()
              + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedKafkaException(
          "Interrupted while waiting for Kafka broker " + bootstrapServers(), e);
    }
  }

  private static boolean isPortTaken(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private InetAddress address() {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new EmbeddedKafkaException("Unknown broker host " + host, e);
    }
  }

  /**
   * Configures an {@link EmbeddedKafka}. Defaults: host {@code 127.0.0.1}, a free port, a temporary
   * data directory deleted on close, and development broker settings (no automatic topic creation,
   * one partition per new topic, log cleaner on, replication factor 1 everywhere).
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private Path dataDir;
    private SaslSslListener saslSsl;
    private KafkaQuorum quorum;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The address to listen on and advertise; it must be one clients can connect to, so not a
     * wildcard address. Defaults to {@code 127.0.0.1}.
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The client port; 0, the default, picks a free one on the first start. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * A directory that keeps the broker's metadata, topics and records across restarts and across
     * instances; it is formatted only if it is not formatted yet and never deleted. {@code null},
     * the default, means a temporary directory deleted by {@link EmbeddedKafka#close()}.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /**
     * Sets a broker property, overriding the defaults and even the listener settings this class
     * derives from host and ports: override those only if you know why.
     */
    public Builder property(String name, String value) {
      properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Secures the client listener: {@code SASL_SSL} with SCRAM-SHA-512 for {@code listener}'s
     * users, TLS from its PEM key store, and ACLs enforced with nothing allowed by default but to
     * the super user. {@code null}, the default, means one plaintext listener anyone may use.
     */
    public Builder saslSsl(SaslSslListener listener) {
      this.saslSsl = listener;
      return this;
    }

    /**
     * Makes this broker one node of a multi-node cluster: node {@code quorum.nodeId()}, its
     * controller listening at its entry in {@code quorum.controllers()} (whose host must be this
     * broker's host), with the quorum's replication settings. It needs a fixed {@link #port} and a
     * persistent {@link #dataDir}, and {@link EmbeddedKafka#start()} returns once the cluster
     * answers, so a majority of the nodes must be starting too. {@code null}, the default, means a
     * node alone with replication factor 1.
     */
    public Builder quorum(KafkaQuorum quorum) {
      this.quorum = quorum;
      return this;
    }

    /**
     * Returns a broker that is not started yet.
     *
     * @throws IllegalArgumentException if a {@link #quorum} is set without a fixed port and a
     *     persistent data directory, or its controller address is on another host
     */
    public EmbeddedKafka build() {
      if (quorum != null) {
        if (port == 0 || dataDir == null) {
          throw new IllegalArgumentException(
              "a node of a quorum needs a fixed port and a persistent data directory");
        }
        if (!quorum.ownControllerHost().equals(host)) {
          throw new IllegalArgumentException(
              "node "
                  + quorum.nodeId()
                  + "'s controller address "
                  + quorum.ownController()
                  + " is not on the broker's host "
                  + host);
        }
      }
      return new EmbeddedKafka(this);
    }
  }
}
