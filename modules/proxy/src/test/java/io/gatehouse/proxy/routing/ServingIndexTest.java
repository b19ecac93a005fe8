package io.gatehouse.proxy.routing;

import static io.gatehouse.proxy.routing.StateFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selection from the in-memory index sees what the store held at start and every change after. */
class ServingIndexTest {
  private static final ResourceRef DEMO = new ResourceRef(ResourceKind.APP, "demo");

  @TempDir Path dir;

  @Test
  void indexedCandidatesFollowTheStoreAndTheChangeStream() {
    try (StateFixture state = new StateFixture(dir)) {
      state.serve("app", "demo", "agent-a");
      state.heartbeat("app", "demo2", "agent-z", T0);
      state.connect("agent-b", "serving");
      RoutingTable table = state.routingTable();

      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-a");

      // agent-b starts serving demo: the fixture writes the store, then publishes the change.
      state.heartbeat("app", "demo", "agent-b", T0);
      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-a", "agent-b");
      assertThat(table.candidates(DEMO)).allMatch(Candidate::healthy);

      // agent-a says goodbye for demo: tombstone.
      state.deleteHeartbeat("app", "demo", "agent-a");
      assertThat(table.candidates(DEMO))
          .extracting(c -> c.agent().agentId())
          .containsExactly("agent-b");

      // Stream time passes the heartbeat's TTL (3 min): nobody serves demo any more.
      state.clock.advance(Duration.ofMinutes(4));
      assertThat(table.candidates(DEMO)).isEmpty();
    }
  }

  @Test
  void agentThatSaidGoodbyeLeavesNoEntryBehind() {
    try (StateFixture state = new StateFixture(dir);
        ServingIndex index = new ServingIndex(state.store, state.changes.asFlux())) {
      state.heartbeat("app", "demo", "agent-a", T0);
      state.deleteHeartbeat("app", "demo", "agent-a");
      // A goodbye for a record this proxy never saw (it went before the proxy started).
      state.changes.tryEmitNext(
          new StateChange(Topic.HEARTBEATS, Keys.heartbeat("app", "gone", "agent-x"), null, 0, 9));

      // Before the table view, each left a delete marker for good, walked by census and digest.
      assertThat(index.all()).isEmpty();
    }
  }

  @Test
  void censusCountsResourcesByKindAndWhetherAnAgentIsHealthy() {
    try (StateFixture state = new StateFixture(dir)) {
      state.serve("app", "demo", "agent-a");
      state.heartbeat("app", "demo", "agent-b", T0);
      state.heartbeat("app", "drained", "agent-b", T0);
      state.heartbeat("db", "pg", "agent-gone", T0);
      state.define("app", "defined-only");
      state.define("app", "demo");
      state.connect("agent-b", "draining");
      RoutingTable table = state.routingTable();

      ResourceCensus census = table.census();
      assertThat(census.healthy(ResourceKind.APP)).as("demo, served by agent-a").isEqualTo(1);
      assertThat(census.unhealthy(ResourceKind.APP))
          .as("drained (agent draining) and defined-only (no agent)")
          .isEqualTo(2);
      assertThat(census.unhealthy(ResourceKind.DB)).as("pg: its agent has no tunnel").isEqualTo(1);
      assertThat(census.healthy(ResourceKind.DB)).isZero();
      assertThat(census.healthy(ResourceKind.KUBE) + census.unhealthy(ResourceKind.KUBE)).isZero();
    }
  }
}
