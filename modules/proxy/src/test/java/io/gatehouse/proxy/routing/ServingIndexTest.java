package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Sinks;

/** Selection from the in-memory index sees what the store held at start and every change after. */
class ServingIndexTest {
  private static final Instant T0 = Instant.parse("2026-11-23T21:00:00Z");
  private static final ResourceRef DEMO = new ResourceRef(ResourceKind.APP, "demo");

  @TempDir Path dir;

  @Test
  void indexedCandidatesFollowTheStoreAndTheChangeStream() {
    MutableClock clock = new MutableClock(T0);
    Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
    try (StateFixture state = new StateFixture(dir)) {
      state.heartbeat("app", "demo", "agent-a", T0);
      state.heartbeat("app", "demo2", "agent-z", T0);
      state.beat("agent-a", T0, "serving");
      state.beat("agent-b", T0, "serving");
      RoutingTable table =
          new RoutingTable(
              state.store,
              AgentBeats.fromStore(state.store),
              changes.asFlux(),
              clock::instant,
              new Ejections(clock, Duration.ofSeconds(10)));

      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-a");

      // agent-b starts serving demo: the materializer writes the store, then publishes the change.
      state.heartbeat("app", "demo", "agent-b", T0);
      String keyB = Keys.heartbeat("app", "demo", "agent-b");
      changes.tryEmitNext(
          new StateChange(
              Topic.HEARTBEATS, keyB, state.store.table("heartbeats").get(Keys.bytes(keyB)), 0, 1));
      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-a", "agent-b");
      assertThat(table.candidates(DEMO)).allMatch(Candidate::healthy);

      // agent-a says goodbye for demo: tombstone.
      changes.tryEmitNext(
          new StateChange(Topic.HEARTBEATS, Keys.heartbeat("app", "demo", "agent-a"), null, 0, 2));
      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-b");

      // Stream time passes the heartbeat's TTL (3 min): nobody serves demo any more.
      clock.advance(Duration.ofMinutes(4));
      assertThat(table.candidates(DEMO)).isEmpty();
      table.close();
    }
  }

  @Test
  void censusCountsResourcesByKindAndWhetherAnAgentIsHealthy() {
    MutableClock clock = new MutableClock(T0);
    Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
    try (StateFixture state = new StateFixture(dir)) {
      state.heartbeat("app", "demo", "agent-a", T0);
      state.heartbeat("app", "demo", "agent-b", T0);
      state.heartbeat("app", "drained", "agent-b", T0);
      state.heartbeat("db", "pg", "agent-gone", T0);
      state.define("app", "defined-only");
      state.define("app", "demo");
      state.beat("agent-a", T0, "serving");
      state.beat("agent-b", T0, "draining");
      RoutingTable table =
          new RoutingTable(
              state.store,
              AgentBeats.fromStore(state.store),
              changes.asFlux(),
              clock::instant,
              new Ejections(clock, Duration.ofSeconds(10)));

      ResourceCensus census = table.census();
      assertThat(census.healthy(ResourceKind.APP)).as("demo, served by agent-a").isEqualTo(1);
      assertThat(census.unhealthy(ResourceKind.APP))
          .as("drained (agent draining) and defined-only (no agent)")
          .isEqualTo(2);
      assertThat(census.unhealthy(ResourceKind.DB)).as("pg: its agent has no beat").isEqualTo(1);
      assertThat(census.healthy(ResourceKind.DB)).isZero();
      assertThat(census.healthy(ResourceKind.KUBE) + census.unhealthy(ResourceKind.KUBE)).isZero();
      table.close();
    }
  }
}
