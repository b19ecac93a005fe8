package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Which agents serve each resource, and when each last refreshed its heartbeat, held in memory:
 * what selection reads on every new session, without a RocksDB scan. Built like {@link
 * AgentBeats#live}: subscribe to the materializer's changes first, then load the heartbeats table,
 * so no change is missed and a delete seen before the load wins over the loaded record. About 100
 * bytes of heap per heartbeat record.
 */
final class ServingIndex implements AutoCloseable {
  /** An agent's heartbeat for one resource: written at {@code time}, current for {@code ttl} ms. */
  record Serving(long time, long ttl) {}

  private static final Serving DELETED = new Serving(Long.MIN_VALUE, 0);

  /** kind/name → agentId → heartbeat times, agents in id order. */
  private final Map<String, ConcurrentSkipListMap<String, Serving>> byResource =
      new ConcurrentHashMap<>();

  private final Disposable subscription;

  ServingIndex(StateStore store, Flux<StateChange> changes) {
    this.subscription =
        changes
            .filter(c -> c.topic() == Topic.HEARTBEATS)
            // The materializer stopped and logged why; the index keeps what it had, as in an
            // outage.
            .subscribe(c -> apply(c.key(), c.bytes(), false), e -> {});
    KeyValueStore heartbeats = store.table(Topic.HEARTBEATS.suffix());
    heartbeats.scan(
        new byte[0],
        (k, v) -> {
          apply(Keys.string(k), v, true);
          return true;
        });
  }

  /**
   * The agents of {@code resourceKey} ({@code kind/name}) in id order, with their heartbeat times;
   * empty when none. The map is live: iterate it, do not keep it.
   */
  Map<String, Serving> agents(String resourceKey) {
    ConcurrentSkipListMap<String, Serving> agents = byResource.get(resourceKey);
    return agents == null ? Map.of() : agents;
  }

  /**
   * Every resource key ({@code kind/name}) the index has seen, with its agents as {@link #agents}
   * gives them. The maps are live: iterate them, do not keep them.
   */
  Map<String, ? extends Map<String, Serving>> all() {
    return byResource;
  }

  static boolean isDeleted(Serving serving) {
    return serving == DELETED;
  }

  private void apply(String key, byte[] value, boolean fromLoad) {
    int slash = key.lastIndexOf(Keys.SEPARATOR);
    if (slash <= 0) {
      return;
    }
    String resource = key.substring(0, slash);
    String agent = key.substring(slash + 1);
    ConcurrentSkipListMap<String, Serving> agents =
        byResource.computeIfAbsent(resource, r -> new ConcurrentSkipListMap<>());
    Serving serving = DELETED;
    if (value != null) {
      long[] times = new long[2];
      if (!HeartbeatTimes.read(value, times)) {
        return;
      }
      serving = new Serving(times[0], times[1]);
    }
    if (fromLoad) {
      agents.putIfAbsent(agent, serving);
    } else {
      agents.put(agent, serving);
    }
  }

  @Override
  public void close() {
    subscription.dispose();
  }
}
