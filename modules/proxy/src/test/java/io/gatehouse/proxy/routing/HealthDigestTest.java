package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health digest moves with every verdict and record that counts, and only with those. */
class HealthDigestTest {
  @TempDir Path dir;

  @Test
  void digestChangesWhenAnAgentDisconnectsAndWhenARecordGoes() {
    try (StateFixture state = new StateFixture(dir)) {
      MutableClock clock = state.clock;
      state.serve("app", "demo", "agent-a", "agent-b");
      RoutingTable indexed = state.routingTable();

      long healthy = indexed.healthDigest();
      assertThat(ScannedHealthDigest.of(state.store, indexed))
          .as("both views of one table agree")
          .isEqualTo(healthy);
      clock.advance(Duration.ofSeconds(1));
      assertThat(indexed.healthDigest())
          .as("time passing within every TTL changes nothing")
          .isEqualTo(healthy);

      // agent-b's tunnel closes while agent-a's stays up.
      state.disconnect("agent-b");
      state.connect("agent-a", "serving");
      long bStale = indexed.healthDigest();
      assertThat(bStale).isNotEqualTo(healthy);
      assertThat(ScannedHealthDigest.of(state.store, indexed)).isEqualTo(bStale);

      // agent-b's record for app/demo goes (tombstone).
      String key = Keys.heartbeat("app", "demo", "agent-b");
      state.changes.tryEmitNext(new StateChange(Topic.HEARTBEATS, key, null, 0, 1));
      assertThat(indexed.healthDigest()).isNotEqualTo(bStale).isNotEqualTo(healthy);
    }
  }
}
