package io.gatehouse.proxy.join;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.kafka.TopicSetup;
import io.gatehouse.lifecycle.Backoff;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.publish.KafkaEventPublisher;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@link JoinTokens} outside a running proxy, for {@code gatehouse tokens} on a proxy host: the
 * {@code tokens} topic materialized into a state store of its own, a producer, and the audit log,
 * caught up with the topic when {@link #open} returns. A proxy builds its {@link JoinTokens} on its
 * own materializer instead.
 *
 * <p>{@link #close()} closes, in reverse order of opening: the view, the producer (after handing
 * over what is queued), the materializer, the store. Idempotent.
 */
public final class TokenConsole implements AutoCloseable {
  private final Closer closer;
  private final JoinTokens tokens;

  private TokenConsole(Closer closer, JoinTokens tokens) {
    this.closer = closer;
    this.tokens = tokens;
  }

  /**
   * Creates the {@code tokens} and {@code audit} topics if missing, reads {@code tokens} to its end
   * into a store in {@code stateDir}, and opens {@link JoinTokens} over it.
   *
   * @param writerId named in the records and audit events written, e.g. {@code tokens-cli@host}
   * @param timeout how long Kafka may take to answer
   * @throws ProxyException naming Kafka's address when it does not answer in time
   */
  public static TokenConsole open(
      KafkaSettings kafka,
      TopicNames names,
      TopicReplication replication,
      Path stateDir,
      ClusterSecret secret,
      Clock clock,
      String writerId,
      Duration timeout) {
    Closer closer = new Closer();
    try {
      new TopicSetup(
              kafka.forClient("admin"), names, List.of(Topic.TOKENS, Topic.AUDIT), replication)
          .awaitUntil(
              clock.instant().plus(timeout),
              new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), new SecureRandom()));
      StateStore store = closer.register(StateStore.open(stateDir, List.of(Topic.TOKENS.suffix())));
      Materializer materializer =
          closer.register(
              Materializer.builder(store, kafka)
                  .topicNames(names)
                  .topics(List.of(Topic.TOKENS))
                  .deadLetters(false)
                  .clock(clock)
                  .build()
                  .start());
      KafkaEventPublisher publisher =
          closer.register(new KafkaEventPublisher(kafka, names, new SimpleMeterRegistry()));
      JoinTokens tokens =
          closer.register(
              JoinTokens.open(
                  store,
                  materializer.changes(),
                  publisher,
                  secret,
                  new AuditLog(publisher, clock, writerId),
                  clock,
                  writerId));
      try {
        materializer.caughtUp().block(timeout);
      } catch (RuntimeException e) {
        throw new ProxyException(
            "cannot read "
                + names.of(Topic.TOKENS)
                + " from Kafka at "
                + kafka.bootstrap()
                + " within "
                + timeout
                + ": "
                + e.getMessage(),
            e);
      }
      if (!materializer.isCaughtUp()) {
        throw new ProxyException(
            "cannot read "
                + names.of(Topic.TOKENS)
                + " from Kafka at "
                + kafka.bootstrap()
                + " within "
                + timeout);
      }
      return new TokenConsole(closer, tokens);
    } catch (RuntimeException e) {
      closer.closeAll().ifPresent(e::addSuppressed);
      throw e instanceof ProxyException p ? p : new ProxyException(e.getMessage(), e);
    }
  }

  public JoinTokens tokens() {
    return tokens;
  }

  @Override
  public void close() {
    closer.close(e -> new ProxyException("closing the join tokens failed: " + e.getMessage(), e));
  }
}
