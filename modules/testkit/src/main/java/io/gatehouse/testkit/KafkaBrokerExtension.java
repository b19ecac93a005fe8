package io.gatehouse.testkit;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.broker.SaslSslListener;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.lifecycle.FileTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker (an {@link EmbeddedKafka} in KRaft mode) for all tests of a class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 * }</pre>
 *
 * <p>Guarantees: the broker is running, on a free loopback port with a temporary data directory,
 * before the first test of the class, and it is closed with its data directory and the {@link
 * #admin()} client after the last one, including its {@code @Nested} classes. The bootstrap address
 * stays the same if a test stops and restarts the broker through {@link #broker()}. Topics are not
 * cleaned between tests: use {@link #uniquePrefix(String)} for topic names.
 *
 * <p>{@link #saslSsl(Map)} gives a broker whose only client listener is {@code SASL_SSL}: real TLS
 * (a {@link TestCertificates} CA made for the class, trusted through {@link #caFile()}),
 * SCRAM-SHA-512 logins for the given users plus {@link #SUPER_USER}, and ACLs enforced with nothing
 * allowed that no ACL allows. Then {@link #admin()}, {@link #producerProps()} and {@link
 * #consumerProps()} log in as the super user, and {@link #clientProps(String)} as any other user.
 *
 * <p>The field must be {@code static}: on an instance field JUnit never calls the before-all hook
 * and every accessor fails.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  /** The broker's own principal on a {@link #saslSsl(Map)} broker: it bypasses every ACL. */
  public static final String SUPER_USER = "broker";

  private final Consumer<EmbeddedKafka.Builder> customizer;
  private final Map<String, String> scramUsers;
  private Path certificates;
  private EmbeddedKafka broker;
  private Admin admin;

  /** Outer class plus entered {@code @Nested} classes: JUnit calls the hooks once for each. */
  private int depth;

  /** A broker with the default settings of {@link EmbeddedKafka#builder()}. */
  public KafkaBrokerExtension() {
    this(builder -> {});
  }

  /** A broker configured by {@code customizer}, for example to set broker properties. */
  public KafkaBrokerExtension(Consumer<EmbeddedKafka.Builder> customizer) {
    this(customizer, null);
  }

  private KafkaBrokerExtension(
      Consumer<EmbeddedKafka.Builder> customizer, Map<String, String> scramUsers) {
    this.customizer = Objects.requireNonNull(customizer, "customizer");
    this.scramUsers = scramUsers;
  }

  /**
   * A broker with one {@code SASL_SSL} client listener, for {@code users} (name to password) and
   * {@link #SUPER_USER} (a random password), whose TLS certificate is signed by a CA made for this
   * class.
   */
  public static KafkaBrokerExtension saslSsl(Map<String, String> users) {
    if (users.containsKey(SUPER_USER)) {
      throw new IllegalArgumentException(SUPER_USER + " is the broker's own user");
    }
    Map<String, String> all = new LinkedHashMap<>(users);
    byte[] password = new byte[16];
    new SecureRandom().nextBytes(password);
    all.put(SUPER_USER, HexFormat.of().formatHex(password));
    return new KafkaBrokerExtension(builder -> {}, Map.copyOf(all));
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ > 0) {
      return;
    }
    EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
    if (scramUsers != null) {
      try {
        certificates = Files.createTempDirectory("gatehouse-test-tls-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for test certificates", e);
      }
      TestCertificates tls = TestCertificates.write(certificates);
      builder.saslSsl(
          new SaslSslListener(tls.serverKeyStore(), tls.caFile(), scramUsers, SUPER_USER));
    }
    customizer.accept(builder);
    EmbeddedKafka candidate = builder.build();
    try {
      candidate.start();
    } catch (RuntimeException e) {
      // JUnit still runs afterAll, but a broker that never started must not outlive this call.
      try {
        candidate.close();
      } catch (RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      deleteCertificates().ifPresent(e::addSuppressed);
      throw e;
    }
    broker = candidate;
  }

  private Optional<IOException> deleteCertificates() {
    Path dir = certificates;
    certificates = null;
    if (dir == null) {
      return Optional.empty();
    }
    try {
      FileTree.delete(dir);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth > 0) {
      return;
    }
    // The admin client before the broker it talks to, the broker before its certificates.
    Closer parts = new Closer();
    Path tls = certificates;
    certificates = null;
    if (tls != null) {
      parts.register(() -> FileTree.delete(tls));
    }
    if (broker != null) {
      parts.register(broker);
    }
    if (admin != null) {
      parts.register(admin);
    }
    admin = null;
    broker = null;
    parts.close(
        e -> e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e));
  }

  /**
   * The broker, so a test can {@link EmbeddedKafka#stop() stop} and restart it. Do not close it.
   */
  public synchronized EmbeddedKafka broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "No broker: register KafkaBrokerExtension with @RegisterExtension on a static field");
    }
    return broker;
  }

  /** The broker's {@code host:port}, stable for the whole test class. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /**
   * The CA certificate (PEM) a client of a {@link #saslSsl(Map)} broker trusts.
   *
   * @throws IllegalStateException for a plaintext broker
   */
  public Path caFile() {
    return secure().trustStore();
  }

  /** The password of a user of a {@link #saslSsl(Map)} broker, {@link #SUPER_USER} included. */
  public String password(String user) {
    String password = secure().users().get(user);
    if (password == null) {
      throw new IllegalArgumentException("no SCRAM user '" + user + "' on this broker");
    }
    return password;
  }

  /**
   * A fresh, mutable client configuration that logs in to a {@link #saslSsl(Map)} broker as {@code
   * user}: the bootstrap, {@code SASL_SSL}, the test CA as PEM trust store, SCRAM-SHA-512. No
   * serializers: add them, or pass them to the client's constructor.
   */
  public Map<String, Object> clientProps(String user) {
    return clientProps(user, password(user));
  }

  /** {@link #clientProps(String)} with a password of the test's choosing, right or wrong. */
  public Map<String, Object> clientProps(String user, String password) {
    Map<String, Object> props = new HashMap<>(secure().clientProperties(user, password));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return props;
  }

  private SaslSslListener secure() {
    return broker()
        .saslSsl()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "a plaintext broker: use KafkaBrokerExtension.saslSsl(users)"));
  }

  /** The bootstrap, and on a secured broker the super user's login. */
  private Map<String, Object> common() {
    Map<String, Object> props = new HashMap<>();
    broker().saslSsl().ifPresent(s -> props.putAll(s.clientProperties(SUPER_USER)));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return props;
  }

  /**
   * A fresh, mutable producer configuration: byte-array key and value serializers, idempotence on,
   * {@code acks=all}; on a secured broker, logged in as the super user.
   */
  public Map<String, Object> producerProps() {
    Map<String, Object> props = common();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }

  /**
   * A fresh, mutable consumer configuration: byte-array key and value deserializers, no group id
   * (use {@code assign}, or add a group id), auto commit off, and reading from the earliest offset
   * when there is no committed one; on a secured broker, logged in as the super user.
   */
  public Map<String, Object> consumerProps() {
    Map<String, Object> props = common();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /**
   * An admin client for the broker, created on first use and closed after all tests (on a secured
   * broker, logged in as the super user, so it may create ACLs). Do not close it.
   */
  public synchronized Admin admin() {
    if (admin == null) {
      Map<String, Object> props = common();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      admin = Admin.create(props);
    }
    return admin;
  }

  /**
   * Returns a topic-name prefix no other call in this JVM returns, such as {@code "t7."} for {@code
   * uniquePrefix("t")}, so tests sharing the broker never see each other's topics.
   */
  public String uniquePrefix(String base) {
    Objects.requireNonNull(base, "base");
    return base + PREFIXES.incrementAndGet() + ".";
  }
}
