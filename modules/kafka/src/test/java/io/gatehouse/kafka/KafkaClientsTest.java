package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
  private final KafkaSettings settings = KafkaSettings.of("k:1").withClientId("gatehouse-proxy-p1");

  @Test
  void producerIsIdempotentAndWaitsForEveryInSyncReplica() {
    assertThat(KafkaClients.producerConfig(settings, Map.of()))
        .containsEntry("bootstrap.servers", "k:1")
        .containsEntry("client.id", "gatehouse-proxy-p1")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all")
        .containsEntry("linger.ms", "5");
  }

  @Test
  void consumerCommitsNothingJoinsNoGroupAndCreatesNoTopic() {
    assertThat(KafkaClients.consumerConfig(settings, Map.of()))
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("allow.auto.create.topics", "false")
        .doesNotContainKey("group.id");
  }

  @Test
  void adminCallsFailWithinTenSeconds() {
    assertThat(KafkaClients.adminConfig(settings))
        .containsEntry("default.api.timeout.ms", "10000")
        .containsEntry("request.timeout.ms", "5000");
  }

  @Test
  void tuningOverridesDefaultsAndSettingsPropertiesOverrideBoth() {
    KafkaSettings operator = settings.with("max.block.ms", "1").with("linger.ms", "0");

    Map<String, Object> config =
        KafkaClients.producerConfig(
            operator, Map.of("max.block.ms", "5000", "delivery.timeout.ms", "30000"));

    assertThat(config)
        .containsEntry("max.block.ms", "1")
        .containsEntry("linger.ms", "0")
        .containsEntry("delivery.timeout.ms", "30000");
  }

  @Test
  void tuningCannotChangeTheBootstrapOrClientId() {
    Map<String, Object> config =
        KafkaClients.consumerConfig(
            settings, Map.of("bootstrap.servers", "elsewhere:1", "client.id", "x"));

    assertThat(config)
        .containsEntry("bootstrap.servers", "k:1")
        .containsEntry("client.id", "gatehouse-proxy-p1");
  }
}
