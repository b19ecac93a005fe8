package io.gatehouse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @Test
  void brokerRunsBeforeTheFirstTest() {
    assertThat(kafka.broker().isRunning()).isTrue();
    assertThat(kafka.bootstrapServers()).isEqualTo(kafka.broker().bootstrapServers());
  }

  @Test
  void producerAndConsumerPropsRoundTripARecord() throws Exception {
    String topic = kafka.uniquePrefix("t") + "round-trip";
    kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer.send(new ProducerRecord<>(topic, bytes("key"), bytes("value"))).get();
    }

    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      Eventually.within(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                  values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
                assertThat(values).containsExactly("value");
              });
    }
  }

  @Test
  void uniquePrefixesNeverRepeat() {
    String first = kafka.uniquePrefix("t");
    String second = kafka.uniquePrefix("t");

    assertThat(first).matches("t\\d+\\.");
    assertThat(second).matches("t\\d+\\.").isNotEqualTo(first);
  }

  @Test
  void adminIsSharedAndSurvivesABrokerRestart() throws Exception {
    String address = kafka.bootstrapServers();

    kafka.broker().stop();
    kafka.broker().start();

    assertThat(kafka.bootstrapServers()).isEqualTo(address);
    assertThat(kafka.admin()).isSameAs(kafka.admin());
    assertThat(kafka.admin().describeCluster().nodes().get()).hasSize(1);
  }

  @Nested
  class NestedClass {
    @Test
    void sharesTheOuterBroker() {
      assertThat(kafka.broker().isRunning()).isTrue();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
