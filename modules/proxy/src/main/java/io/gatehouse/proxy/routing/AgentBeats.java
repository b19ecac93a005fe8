package io.gatehouse.proxy.routing;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.codec.EventDecodeException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The agents' latest beats. Every selection looks up each candidate's beat, so the live view keeps
 * the (small) agents table decoded in memory, current through the materializer's change stream; the
 * store view reads the table on every call.
 */
public abstract sealed class AgentBeats implements AutoCloseable {
  /**
   * The beat of {@code agentId}, or {@code null} when it has none (never beat, or said goodbye).
   */
  public abstract AgentBeat get(String agentId);

  /** Every beat, in agent-id order. */
  public abstract List<AgentBeat> all();

  @Override
  public void close() {}

  /** Reads the agents table on every call: simple, and what tests that write the store use. */
  public static AgentBeats fromStore(StateStore store) {
    return new FromStore(store.table(Topic.AGENTS.suffix()));
  }

  /**
   * Keeps the agents table in memory. Subscribes to {@code changes} first, then loads the table, so
   * no change is missed; a delete seen before the load leaves a marker, so the load cannot bring
   * back an agent that has just said goodbye. Close it to unsubscribe.
   */
  public static AgentBeats live(StateStore store, Flux<StateChange> changes) {
    return new Live(store.table(Topic.AGENTS.suffix()), changes);
  }

  private static AgentBeat decode(byte[] value) {
    try {
      return EventCodec.AGENT_BEAT.decode(value);
    } catch (EventDecodeException e) {
      return null; // the materializer stores only values that decode
    }
  }

  private static final class FromStore extends AgentBeats {
    private final KeyValueStore table;

    FromStore(KeyValueStore table) {
      this.table = table;
    }

    @Override
    public AgentBeat get(String agentId) {
      byte[] value = table.get(Keys.bytes(agentId));
      return value == null ? null : decode(value);
    }

    @Override
    public List<AgentBeat> all() {
      List<AgentBeat> out = new ArrayList<>();
      table.scan(
          new byte[0],
          (k, v) -> {
            AgentBeat beat = decode(v);
            if (beat != null) {
              out.add(beat);
            }
            return true;
          });
      return out;
    }
  }

  private static final class Live extends AgentBeats {
    /** An empty value marks an agent whose record was deleted. */
    private final Map<String, Optional<AgentBeat>> beats = new ConcurrentHashMap<>();

    private final Disposable subscription;

    Live(KeyValueStore table, Flux<StateChange> changes) {
      this.subscription =
          changes
              .filter(c -> c.topic() == Topic.AGENTS)
              .subscribe(
                  c ->
                      beats.put(
                          c.key(),
                          c.isDelete()
                              ? Optional.empty()
                              : Optional.ofNullable((AgentBeat) c.value())),
                  // The materializer stopped and logged why; the last beats stay, as in an outage.
                  e -> {});
      table.scan(
          new byte[0],
          (k, v) -> {
            AgentBeat beat = decode(v);
            if (beat != null) {
              beats.putIfAbsent(Keys.string(k), Optional.of(beat));
            }
            return true;
          });
    }

    @Override
    public AgentBeat get(String agentId) {
      Optional<AgentBeat> beat = beats.get(agentId);
      return beat == null ? null : beat.orElse(null);
    }

    @Override
    public List<AgentBeat> all() {
      Map<String, AgentBeat> sorted = new ConcurrentSkipListMap<>();
      beats.forEach((id, beat) -> beat.ifPresent(b -> sorted.put(id, b)));
      return new ArrayList<>(sorted.values());
    }

    @Override
    public void close() {
      subscription.dispose();
    }
  }
}
