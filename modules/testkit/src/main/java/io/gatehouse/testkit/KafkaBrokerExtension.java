package io.gatehouse.testkit;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.lifecycle.Closer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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
 * <p>The field must be {@code static}: on an instance field JUnit never calls the before-all hook
 * and every accessor fails.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private final Consumer<EmbeddedKafka.Builder> customizer;
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
    this.customizer = Objects.requireNonNull(customizer, "customizer");
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ > 0) {
      return;
    }
    EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
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
      throw e;
    }
    broker = candidate;
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth > 0) {
      return;
    }
    // The admin client before the broker it talks to.
    Closer parts = new Closer();
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
   * A fresh, mutable producer configuration: byte-array key and value serializers, idempotence on,
   * {@code acks=all}.
   */
  public Map<String, Object> producerProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }

  /**
   * A fresh, mutable consumer configuration: byte-array key and value deserializers, no group id
   * (use {@code assign}, or add a group id), auto commit off, and reading from the earliest offset
   * when there is no committed one.
   */
  public Map<String, Object> consumerProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /**
   * An admin client for the broker, created on first use and closed after all tests. Do not close
   * it.
   */
  public synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
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
