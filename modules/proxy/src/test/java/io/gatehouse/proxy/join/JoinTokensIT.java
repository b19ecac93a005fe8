package io.gatehouse.proxy.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.join.JoinRefusedException.Reason;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Join tokens on a real broker, read by two independent "proxies" (each its own state store,
 * materializer and producer): uses are exact across them, removal and restarts are seen, decisions
 * are audited, and the token never reaches a topic.
 */
class JoinTokensIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;
  private final ClusterSecret secret = ClusterSecret.generate(new SecureRandom());
  private TopicNames names;
  private final List<TokenConsole> open = new ArrayList<>();

  @BeforeEach
  void prefix() {
    names = new TopicNames(kafka.uniquePrefix("join").replaceAll("\\.$", ""));
  }

  @AfterEach
  void close() {
    open.forEach(TokenConsole::close);
  }

  private TokenConsole proxy(String id) {
    TokenConsole c =
        TokenConsole.open(
            KafkaSettings.of(kafka.bootstrapServers()).withClientId("join-it-" + id),
            names,
            TopicReplication.SINGLE,
            dir.resolve(id),
            secret,
            Clock.systemUTC(),
            id,
            WAIT);
    open.add(c);
    return c;
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Reason reason(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().join();
      return null;
    } catch (CompletionException e) {
      return ((JoinRefusedException) e.getCause()).reason();
    }
  }

  /** Issues a token through {@code tokens} and waits until its own view has read it back. */
  private static IssuedToken add(JoinTokens tokens, int uses) {
    IssuedToken t =
        join(
            tokens.add(
                new TokenRequest(
                    Set.of(ResourceKind.APP),
                    Duration.ofMinutes(30),
                    OptionalInt.of(uses),
                    "it@host",
                    null)));
    seen(tokens, t);
    return t;
  }

  /** Waits until {@code tokens} has read the token issued elsewhere. */
  private static void seen(JoinTokens tokens, IssuedToken t) {
    Eventually.within(WAIT).until(() -> tokens.token(t.info().id()).isPresent());
  }

  @Test
  void twoProxiesRacingForAOneUseTokenLetExactlyOneAgentIn() throws Exception {
    JoinTokens a = proxy("proxy-a").tokens();
    JoinTokens b = proxy("proxy-b").tokens();
    for (int round = 0; round < 5; round++) {
      IssuedToken t = add(a, 1);
      seen(b, t);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletionStage<TokenGrant>> attempts = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (JoinTokens proxy : List.of(a, b)) {
        String agent = (proxy == a ? "agent-a" : "agent-b") + round;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  synchronized (attempts) {
                    attempts.add(proxy.redeem(t.token(), agent, Set.of("app")));
                  }
                });
        thread.start();
        threads.add(thread);
      }
      go.countDown();
      for (Thread thread : threads) {
        thread.join();
      }

      List<Reason> outcomes = attempts.stream().map(JoinTokensIT::reason).toList();
      assertThat(outcomes).as("round " + round).containsExactlyInAnyOrder(null, Reason.USED_UP);
    }
  }

  @Test
  void twoUsesLetTwoDistinctAgentsInThroughDifferentProxies() {
    JoinTokens a = proxy("proxy-a").tokens();
    JoinTokens b = proxy("proxy-b").tokens();
    IssuedToken t = add(a, 2);
    seen(b, t);

    join(a.redeem(t.token(), "agent-1", Set.of("app")));
    join(b.redeem(t.token(), "agent-2", Set.of("app")));

    assertThat(reason(a.redeem(t.token(), "agent-3", Set.of("app")))).isEqualTo(Reason.USED_UP);
    assertThat(reason(b.redeem(t.token(), "agent-3", Set.of("app")))).isEqualTo(Reason.USED_UP);
  }

  @Test
  void tokenRemovedOnOneProxyIsRefusedOnTheOther() {
    JoinTokens a = proxy("proxy-a").tokens();
    JoinTokens b = proxy("proxy-b").tokens();
    IssuedToken t = add(a, 1);
    seen(b, t);

    join(a.remove(t.info().id(), "it"));
    Eventually.within(WAIT).until(() -> b.token(t.info().id()).isEmpty());

    assertThat(reason(b.redeem(t.token(), "agent-1", Set.of("app")))).isEqualTo(Reason.UNKNOWN);
  }

  @Test
  void restartedProxyKeepsTokensAndUses() {
    JoinTokens a = proxy("proxy-a").tokens();
    TokenConsole b = proxy("proxy-b");
    IssuedToken t = add(a, 1);
    seen(b.tokens(), t);
    join(a.redeem(t.token(), "agent-1", Set.of("app")));
    Eventually.within(WAIT).until(() -> b.tokens().token(t.info().id()).orElseThrow().uses() == 1);

    b.close();
    open.remove(b);
    JoinTokens again = proxy("proxy-b").tokens();

    assertThat(again.token(t.info().id()))
        .hasValueSatisfying(j -> assertThat(j.uses()).isEqualTo(1));
    assertThat(reason(again.redeem(t.token(), "agent-2", Set.of("app")))).isEqualTo(Reason.USED_UP);
    assertThat(join(again.redeem(t.token(), "agent-1", Set.of("app"))).rejoin()).isTrue();
  }

  @Test
  void decisionsAreAuditedAndTheTokenIsOnNoTopic() {
    JoinTokens a = proxy("proxy-a").tokens();
    IssuedToken t = add(a, 1);
    join(a.redeem(t.token(), "agent-1", Set.of("app")));
    reason(a.redeem(t.token(), "agent-2", Set.of("app")));
    reason(a.redeem(t.token(), "agent-3", Set.of("db")));

    String hex = t.token().substring(TokenText.PREFIX.length());
    List<AuditEvent> audit = new ArrayList<>();
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              audit.clear();
              for (ConsumerRecord<byte[], byte[]> r : everyRecord()) {
                String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                String value =
                    r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1);
                assertThat(key + value).as(r.topic()).doesNotContain(hex);
                if (r.topic().equals(names.of(Topic.AUDIT))) {
                  audit.add(EventCodec.AUDIT_EVENT.decode(r.value()));
                }
              }
              assertThat(audit)
                  .extracting(AuditEvent::getType)
                  .containsExactlyInAnyOrder(
                      AuditLog.TOKEN_CREATE,
                      AuditLog.JOIN_ACCEPTED,
                      AuditLog.JOIN_REFUSED,
                      AuditLog.JOIN_REFUSED);
            });
    assertThat(audit)
        .filteredOn(e -> e.getType().equals(AuditLog.JOIN_REFUSED))
        .extracting(e -> e.getDetails().get("reason"))
        .containsExactlyInAnyOrder("used-up", "wrong-kind");
  }

  /** Every record on every topic of this test's prefix, read from the beginning. */
  private List<ConsumerRecord<byte[], byte[]>> everyRecord() {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : consumer.listTopics().keySet()) {
        if (topic.startsWith(names.prefix() + ".")) {
          for (PartitionInfo p : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
          }
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
