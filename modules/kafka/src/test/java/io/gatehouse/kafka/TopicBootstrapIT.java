package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicBootstrapIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @Test
  void createsEveryTopicWithItsPolicyAndPartitions() throws Exception {
    TopicNames names = names();

    bootstrap(names).ensure();

    for (Topic topic : Topic.values()) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, names.of(topic));
      Config config = kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get("cleanup.policy").value())
          .as(topic.name())
          .isEqualTo(topic.cleanupPolicy().value());
      assertThat(
              kafka
                  .admin()
                  .describeTopics(List.of(names.of(topic)))
                  .allTopicNames()
                  .get()
                  .get(names.of(topic))
                  .partitions())
          .hasSize(topic.partitions());
    }
  }

  @Test
  void createdTopicsGetTheMinInsyncReplicasAsked() throws Exception {
    TopicNames names = names();

    new TopicBootstrap(
            kafka.admin(),
            names,
            new TopicReplication((short) 1, OptionalInt.of(1)),
            Duration.ofSeconds(30))
        .ensure(List.of(Topic.SESSIONS));

    ConfigResource resource =
        new ConfigResource(ConfigResource.Type.TOPIC, names.of(Topic.SESSIONS));
    ConfigEntry minIsr =
        kafka
            .admin()
            .describeConfigs(List.of(resource))
            .all()
            .get()
            .get(resource)
            .get("min.insync.replicas");
    // The broker's default is 1 too: the source tells the topic's own setting from it.
    assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    assertThat(minIsr.value()).isEqualTo("1");
  }

  @Test
  void runningTwiceIsHarmless() {
    TopicNames names = names();
    bootstrap(names).ensure();

    bootstrap(names).ensure();
  }

  @Test
  void existingTopicWithTheWrongPolicyIsAClearError() throws Exception {
    TopicNames names = names();
    kafka
        .admin()
        .createTopics(
            List.of(
                new NewTopic(names.of(Topic.HEARTBEATS), 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "delete"))))
        .all()
        .get();

    assertThatThrownBy(() -> bootstrap(names).ensure())
        .isInstanceOf(TopicPolicyException.class)
        .hasMessageContaining("topic " + names.of(Topic.HEARTBEATS) + " has cleanup.policy=delete")
        .hasMessageContaining("requires compact")
        .hasMessageContaining("kafka-configs.sh");
  }

  private static TopicNames names() {
    String prefix = kafka.uniquePrefix("boot");
    return new TopicNames(prefix.substring(0, prefix.length() - 1));
  }

  private static TopicBootstrap bootstrap(TopicNames names) {
    return new TopicBootstrap(
        kafka.admin(), names, TopicReplication.SINGLE, Duration.ofSeconds(30));
  }
}
