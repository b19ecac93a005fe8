package io.gatehouse.proxy.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.RecordingPublisher;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's schedule with an injected clock: nothing before the agent names this proxy its
 * writer, everything at once when it does, one refresh per period (jittered, never later), a
 * tombstone for what stops being served, and every record tombstoned by a goodbye.
 */
class HeartbeatWriterTest {
  private static final Duration REFRESH = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock();
  private final RecordingPublisher publisher = new RecordingPublisher();
  private final HeartbeatWriter writer =
      new HeartbeatWriter(publisher, clock, REFRESH, new Random(7), new SimpleMeterRegistry());

  @AfterEach
  void close() {
    writer.close();
  }

  private static ServeLine app(String name) {
    return new ServeLine(
        ResourceKind.APP, name, Map.of("env", "dev"), "http://h:1", Optional.empty(), "static");
  }

  private List<RecordingPublisher.Sent> sent(String key) {
    return publisher.sent.stream().filter(s -> s.key().equals(key)).toList();
  }

  @Test
  void writesNothingUntilNamedWriterThenEverythingAtOnce() {
    HeartbeatWriter.Served served = writer.open("agent-a", "10.0.0.1:5000");
    served.serve(app("one"));
    served.serve(app("two"));
    // Another tunnel's record, written on the same thread after those serves, proves they ran.
    HeartbeatWriter.Served other = writer.open("agent-z", "r");
    other.serve(app("sync"));
    other.becomeWriter();
    Eventually.within(WAIT).until(() -> sent("app/sync/agent-z").size() == 1);
    assertThat(sent("app/one/agent-a")).as("not the writer: nothing written").isEmpty();

    served.becomeWriter();
    Eventually.within(WAIT)
        .until(() -> sent("app/one/agent-a").size() == 1 && sent("app/two/agent-a").size() == 1);
    ResourceHeartbeat hb = (ResourceHeartbeat) sent("app/one/agent-a").get(0).value();
    assertThat(sent("app/one/agent-a").get(0).topic()).isEqualTo(Topic.HEARTBEATS);
    assertThat(hb.getAgentId()).isEqualTo("agent-a");
    assertThat(hb.getAgentAddress()).isEqualTo("10.0.0.1:5000");
    assertThat(hb.getLabels()).isEqualTo(Map.of("env", "dev"));
    assertThat(hb.getTtlMillis()).isEqualTo(REFRESH.multipliedBy(3).toMillis());
    assertThat(hb.getTime()).isEqualTo(clock.instant());

    assertThat(hb.getZone()).as("the agent named no zone").isNull();

    served.serve(app("three"));
    Eventually.within(WAIT).until(() -> sent("app/three/agent-a").size() == 1);
  }

  @Test
  void writesTheZoneTheAgentNamed() {
    HeartbeatWriter.Served served = writer.open("agent-zoned", "r");
    ServeLine line = app("zoned");
    served.serve(
        new ServeLine(
            line.kind(),
            line.name(),
            line.labels(),
            line.uri(),
            line.protocol(),
            line.origin(),
            Optional.empty(),
            Optional.of("eu-1")));
    served.becomeWriter();
    Eventually.within(WAIT).until(() -> sent("app/zoned/agent-zoned").size() == 1);
    assertThat(((ResourceHeartbeat) sent("app/zoned/agent-zoned").get(0).value()).getZone())
        .isEqualTo("eu-1");
  }

  @Test
  void refreshesOncePerPeriodNeverLater() {
    HeartbeatWriter.Served served = writer.open("agent-b", "r");
    served.serve(app("web"));
    served.becomeWriter();
    Eventually.within(WAIT).until(() -> sent("app/web/agent-b").size() == 1);

    for (int period = 2; period <= 4; period++) {
      clock.advance(REFRESH);
      int expected = period;
      // A full period later the record is due (jitter only shortens it).
      Eventually.within(WAIT).until(() -> sent("app/web/agent-b").size() == expected);
    }
    List<Long> sequences =
        sent("app/web/agent-b").stream()
            .map(s -> ((ResourceHeartbeat) s.value()).getSequence())
            .toList();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void unserveTombstonesAndGoodbyeTombstonesEverything() throws Exception {
    HeartbeatWriter.Served served = writer.open("agent-c", "r");
    served.serve(app("a"));
    served.serve(app("b"));
    served.becomeWriter();
    Eventually.within(WAIT).until(() -> publisher.sent.size() == 2);

    served.unserve("app/a");
    Eventually.within(WAIT).until(() -> sent("app/a/agent-c").size() == 2);
    assertThat(sent("app/a/agent-c").get(1).value()).as("tombstone").isNull();

    served.goodbye().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(sent("app/b/agent-c")).last().extracting(RecordingPublisher.Sent::value).isNull();

    clock.advance(REFRESH.multipliedBy(2));
    served.serve(app("late"));
    // Nothing after a goodbye: no refresh, and the agent is no longer this proxy's to write.
    served.goodbye().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(sent("app/late/agent-c")).isEmpty();
    assertThat(sent("app/b/agent-c")).hasSize(2);
  }

  @Test
  void aClosedTunnelWritesNothingMore() {
    HeartbeatWriter.Served closing = writer.open("agent-d", "r");
    closing.serve(app("x"));
    closing.becomeWriter();
    HeartbeatWriter.Served staying = writer.open("agent-e", "r");
    staying.serve(app("y"));
    staying.becomeWriter();
    Eventually.within(WAIT).until(() -> publisher.sent.size() == 2);

    closing.close();
    clock.advance(REFRESH);
    // The open tunnel's refresh proves a tick ran past the closed one's due time.
    Eventually.within(WAIT).until(() -> sent("app/y/agent-e").size() == 2);
    assertThat(sent("app/x/agent-d")).as("no refresh, no tombstone").hasSize(1);
  }
}
