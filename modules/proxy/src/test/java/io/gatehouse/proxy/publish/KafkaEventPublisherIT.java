package io.gatehouse.proxy.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicBootstrap;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records written while Kafka is away wait for it: the chaos suite found sessions' pins and audit
 * events dropped during a 60 s outage of every broker, a send failing for good after {@code
 * max.block.ms} (10 s) of waiting for metadata the producer no longer had.
 */
class KafkaEventPublisherIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @Test
  void recordsPublishedDuringAnOutageLandOnceKafkaIsBack() throws Exception {
    String prefix = kafka.uniquePrefix("publish");
    TopicNames names = new TopicNames(prefix.substring(0, prefix.length() - 1));
    new TopicBootstrap(kafka.admin(), names, TopicReplication.SINGLE, Duration.ofSeconds(30))
        .ensure(List.of(Topic.AUDIT));
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(
            KafkaSettings.of(kafka.bootstrapServers()).withClientId("publish-it"),
            names,
            new SimpleMeterRegistry());
    try {
      publisher
          .publish(Topic.AUDIT, "s1", "s1", event("before"))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      kafka.broker().stop();
      // One record a second through an outage longer than max.block.ms, keyed to a partition or
      // not: once the producer finds no broker it drops its metadata (it re-bootstraps), and each
      // send then waits for metadata.
      List<CompletableFuture<Void>> during = new ArrayList<>();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 14; i++) {
        String type = "during-" + i;
        sent.add(type);
        during.add(
            publisher
                .publish(Topic.AUDIT, type, i % 2 == 0 ? type : null, event(type))
                .toCompletableFuture());
        long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < next) {
          assertThat(during)
              .as("records waiting for Kafka")
              .noneMatch(CompletableFuture::isCompletedExceptionally);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      }
      kafka.broker().start();

      CompletableFuture.allOf(during.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      sent.add("before");
      Eventually.within(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(types(names)).containsAll(sent));
    } finally {
      publisher.close();
    }
  }

  private static AuditEvent event(String type) {
    return AuditEvent.newBuilder()
        .setId(type)
        .setType(type)
        .setTime(Instant.now())
        .setOutcome("ok")
        .build();
  }

  private static List<String> types(TopicNames names) {
    List<String> types = new ArrayList<>();
    var props = kafka.consumerProps();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < Topic.AUDIT.partitions(); p++) {
        partitions.add(new TopicPartition(names.of(Topic.AUDIT), p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      for (int i = 0; i < 5; i++) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          types.add(String.valueOf(EventCodec.AUDIT_EVENT.decode(r.value()).getType()));
        }
      }
    }
    return types;
  }
}
