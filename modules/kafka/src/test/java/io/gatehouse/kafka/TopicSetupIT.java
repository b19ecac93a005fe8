package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.lifecycle.Backoff;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicSetupIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final List<Topic> TOPICS = List.of(Topic.HEARTBEATS, Topic.AUDIT);

  @Test
  void awaitUntilReturnsOnceTheTopicsExist() throws Exception {
    TopicNames names = names();

    setup(kafka.bootstrapServers(), names).awaitUntil(Instant.now().plusSeconds(30), backoff());

    assertThat(kafka.admin().listTopics().names().get())
        .contains(names.of(Topic.HEARTBEATS), names.of(Topic.AUDIT));
  }

  @Test
  void awaitUntilFailsAfterTheDeadlineNamingTheBootstrapAndTheTopics() throws Exception {
    String nobody = "127.0.0.1:" + closedPort();
    TopicNames names = names();
    Instant start = Instant.now();

    assertThatThrownBy(
            () -> setup(nobody, names).awaitUntil(start.plus(Duration.ofSeconds(2)), backoff()))
        .isInstanceOf(TopicContractException.class)
        .hasMessageContaining("cannot reach Kafka at " + nobody)
        .hasMessageContaining(names.of(Topic.HEARTBEATS));
    // It gave up at the deadline, not after an admin client's own (longer) timeouts.
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void awaitUntilFailsAtOnceOnATopicThatBreaksTheContract() throws Exception {
    TopicNames names = names();
    createWithDeletePolicy(names.of(Topic.HEARTBEATS));

    assertThatThrownBy(
            () ->
                setup(kafka.bootstrapServers(), names)
                    .awaitUntil(Instant.now().plusSeconds(60), backoff()))
        .isInstanceOf(TopicPolicyException.class)
        .hasMessageContaining("topic " + names.of(Topic.HEARTBEATS) + " has cleanup.policy=delete");
  }

  @Test
  void inBackgroundBecomesReadyOnceTheTopicsExist() throws Exception {
    TopicNames names = names();

    try (TopicSetup.Background setup =
        setup(kafka.bootstrapServers(), names).inBackground(backoff())) {
      Eventually.within(Duration.ofSeconds(30))
          .until(() -> setup.status() == TopicSetup.Status.READY);
    }
    assertThat(kafka.admin().listTopics().names().get())
        .contains(names.of(Topic.HEARTBEATS), names.of(Topic.AUDIT));
  }

  @Test
  void inBackgroundKeepsRetryingAnUnreachableClusterUntilClosed() throws Exception {
    String nobody = "127.0.0.1:" + closedPort();
    TopicSetup.Background setup = setup(nobody, names()).inBackground(backoff());

    Eventually.within(Duration.ofSeconds(30)).until(() -> setup.lastError().isPresent());
    assertThat(setup.status()).isEqualTo(TopicSetup.Status.PENDING);

    setup.close();
    setup.close();
    assertThat(setup.status()).isEqualTo(TopicSetup.Status.PENDING);
  }

  @Test
  void inBackgroundGivesUpOnATopicThatBreaksTheContract() throws Exception {
    TopicNames names = names();
    createWithDeletePolicy(names.of(Topic.HEARTBEATS));

    try (TopicSetup.Background setup =
        setup(kafka.bootstrapServers(), names).inBackground(backoff())) {
      Eventually.within(Duration.ofSeconds(30))
          .until(() -> setup.status() == TopicSetup.Status.BROKEN);
      assertThat(setup.lastError()).get().asString().contains("cleanup.policy=delete");
    }
  }

  private static TopicSetup setup(String bootstrap, TopicNames names) {
    return new TopicSetup(
        KafkaSettings.of(bootstrap).withClientId("topic-setup-it"),
        names,
        TOPICS,
        TopicReplication.SINGLE);
  }

  private static Backoff backoff() {
    return new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), new Random(7));
  }

  private static void createWithDeletePolicy(String topic) throws Exception {
    kafka
        .admin()
        .createTopics(
            List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "delete"))))
        .all()
        .get();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static TopicNames names() {
    String prefix = kafka.uniquePrefix("setup");
    return new TopicNames(prefix.substring(0, prefix.length() - 1));
  }
}
