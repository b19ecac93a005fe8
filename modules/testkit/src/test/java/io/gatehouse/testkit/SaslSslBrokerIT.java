package io.gatehouse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SaslSslBrokerIT {

  @RegisterExtension
  static final KafkaBrokerExtension kafka =
      KafkaBrokerExtension.saslSsl(Map.of("alice", "alice-secret"));

  @Test
  void onlyTheSecuredListenerIsAdvertised() {
    assertThat(kafka.broker().saslSsl()).isPresent();
    assertThat(kafka.broker().saslSsl().get().toString())
        .contains("alice", KafkaBrokerExtension.SUPER_USER)
        .doesNotContain("alice-secret", kafka.password(KafkaBrokerExtension.SUPER_USER));
  }

  @Test
  void superUserCreatesTopicsAndWritesWithoutAcls() throws Exception {
    String topic = kafka.uniquePrefix("sasl") + "open";
    kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("v"))).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aUserWithoutAclsIsRefusedTheTopic() throws Exception {
    String topic = kafka.uniquePrefix("sasl") + "closed";
    kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

    Map<String, Object> props = kafka.clientProps("alice");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(topic, bytes("k"), bytes("v")))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void aWrongPasswordFailsAuthentication() {
    Map<String, Object> props = kafka.clientProps("alice", "not-her-password");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class)
          .hasMessageNotContaining("not-her-password");
    }
  }

  @Test
  void theBrokerSurvivesARestartWithItsUsers() throws Exception {
    kafka.broker().stop();
    kafka.broker().start();

    Map<String, Object> props = kafka.clientProps("alice");
    try (Admin admin = Admin.create(props)) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
