package io.gatehouse.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.kafka.TopicBootstrap;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expiry is judged against the stream: it happens while the stream is live and never during an
 * outage.
 */
class LivenessIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration TTL = Duration.ofSeconds(3);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T21:00:00Z"));

  @Test
  void staleBeatExpiresWhileTheStreamIsLiveButNotWhileTheBrokerIsDown() {
    TopicNames names = new TopicNames("live");
    new TopicBootstrap(kafka.admin(), names, TopicReplication.SINGLE, Duration.ofSeconds(30))
        .ensure();
    try (StateStore store =
            StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
        Materializer materializer =
            Materializer.builder(store, KafkaSettings.of(kafka.bootstrapServers()))
                .topicNames(names)
                .clock(clock)
                .probeInterval(Duration.ofMillis(50))
                .build()
                .start()) {
      Liveness liveness = new Liveness(materializer.streamClock());
      AgentBeat beat = Events.beat("agent-a", clock.instant());
      publish(names, beat);
      Eventually.within(WAIT).until(() -> store.table("agents").get(Keys.bytes("agent-a")) != null);
      Eventually.within(WAIT)
          .until(() -> materializer.streamClock().seenUpTo().equals(clock.instant()));
      assertThat(liveness.isFresh(beat.getTime(), TTL)).isTrue();

      // Live stream: time passes with no new beat, so the beat expires.
      clock.advance(Duration.ofSeconds(4));
      Eventually.within(WAIT).until(() -> !liveness.isFresh(beat.getTime(), TTL));

      // A fresh beat, then the broker goes away and much time passes: nothing expires.
      AgentBeat fresh = Events.beat("agent-a", clock.instant());
      publish(names, fresh);
      Eventually.within(WAIT)
          .until(
              () ->
                  materializer.streamClock().seenUpTo().equals(clock.instant())
                      && EventCodec.AGENT_BEAT
                          .decode(store.table("agents").get(Keys.bytes("agent-a")))
                          .equals(fresh));
      kafka.broker().stop();
      clock.advance(Duration.ofMinutes(10));
      Eventually.within(WAIT).until(() -> !materializer.isKafkaReachable());
      assertThat(liveness.isFresh(fresh.getTime(), TTL)).as("fresh during outage").isTrue();
      assertThat(store.table("agents").get(Keys.bytes("agent-a")))
          .as("table kept during outage")
          .isNotNull();

      // The broker is back: the stream catches up with the wall clock and the beat expires.
      kafka.broker().start();
      Eventually.within(WAIT).until(() -> !liveness.isFresh(fresh.getTime(), TTL));
    }
  }

  private void publish(TopicNames names, AgentBeat beat) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(
          new ProducerRecord<>(
              names.of(Topic.AGENTS),
              Keys.bytes(beat.getAgentId()),
              EventCodec.AGENT_BEAT.encode(beat)));
    }
  }
}
