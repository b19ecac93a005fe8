package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' beats in memory follow the table; an agent that said goodbye is gone from them (that
 * no delete marker stays in memory is the table view's guarantee, tested in TableViewTest).
 */
class AgentBeatsTest {
  private static final Instant T0 = Instant.parse("2026-11-23T21:00:00Z");

  @TempDir Path dir;

  @Test
  void agentThatSaidGoodbyeLeavesNoEntryBehind() {
    try (StateFixture state = new StateFixture(dir)) {
      state.beat("agent-a", T0, "serving");
      try (AgentBeats beats = AgentBeats.live(state.store, state.changes.asFlux())) {
        state.beat("agent-b", T0, "serving");
        assertThat(beats.all())
            .extracting(b -> b.getAgentId())
            .containsExactly("agent-a", "agent-b");

        state.deleteBeat("agent-a");
        state.deleteBeat("agent-b");
        state.deleteBeat("agent-never-seen");

        assertThat(beats.get("agent-a")).isNull();
        assertThat(beats.all()).isEmpty();
      }
    }
  }
}
