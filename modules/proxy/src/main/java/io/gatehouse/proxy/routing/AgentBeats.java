package io.gatehouse.proxy.routing;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * The agents' latest beats, decoded in memory: every selection looks up each candidate's beat. A
 * projection of the (small) agents table through a {@link TableView}, which loads it and follows
 * the materializer's changes; an agent that says goodbye leaves no entry behind. Thread-safe.
 */
public final class AgentBeats implements AutoCloseable {
  private final Map<String, AgentBeat> beats = new ConcurrentHashMap<>();
  private final TableView<AgentBeat> view;

  private AgentBeats(StateStore store, Flux<StateChange> changes) {
    this.view =
        TableView.open(
            store,
            Topic.AGENTS,
            changes,
            (key, value) -> EventCodec.AGENT_BEAT.decode(value),
            TableView.Listener.of(beats::put, beats::remove));
  }

  /**
   * Loads the agents table of {@code store}, then follows {@code changes} (the materializer's).
   * Close it to unsubscribe.
   */
  public static AgentBeats live(StateStore store, Flux<StateChange> changes) {
    return new AgentBeats(store, changes);
  }

  /**
   * The beat of {@code agentId}, or {@code null} when it has none (never beat, or said goodbye).
   */
  public AgentBeat get(String agentId) {
    return beats.get(agentId);
  }

  /** Every beat, in agent-id order. */
  public List<AgentBeat> all() {
    return new ArrayList<>(new TreeMap<>(beats).values());
  }

  @Override
  public void close() {
    view.close();
  }
}
