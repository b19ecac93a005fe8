package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import reactor.core.publisher.Flux;

/**
 * Which agents serve each resource, and when each last refreshed its heartbeat, held in memory:
 * what selection reads on every new session, without a RocksDB scan. A projection of the heartbeats
 * table through a {@link TableView}, which loads and follows it; a heartbeat that goes (goodbye,
 * tombstone) leaves nothing behind, and a resource with no agent left is dropped. About 100 bytes
 * of heap per heartbeat record; the records of one zone share its name (every zone ever seen is
 * kept, a handful in practice).
 */
final class ServingIndex implements AutoCloseable {
  /**
   * An agent's heartbeat for one resource: written at {@code time}, current for {@code ttl} ms, by
   * an agent in {@code zone} ({@code ""} when it named none).
   */
  record Serving(long time, long ttl, String zone) {}

  /** kind/name → agentId → heartbeat times, agents in id order. */
  private final Map<String, ConcurrentSkipListMap<String, Serving>> byResource =
      new ConcurrentHashMap<>();

  /** Every zone seen, so that the records of a zone share one string. */
  private final Map<String, String> zones = new ConcurrentHashMap<>();

  private final TableView<Serving> view;

  ServingIndex(StateStore store, Flux<StateChange> changes) {
    this.view =
        TableView.open(
            store,
            Topic.HEARTBEATS,
            changes,
            (key, value) -> shareZone(serving(value)),
            TableView.Listener.of(this::put, this::remove));
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
   * Every resource key ({@code kind/name}) with at least one heartbeat record, with its agents as
   * {@link #agents} gives them. The maps are live: iterate them, do not keep them.
   */
  Map<String, ? extends Map<String, Serving>> all() {
    return byResource;
  }

  private static Serving serving(byte[] value) {
    Serving serving = HeartbeatFields.read(value);
    if (serving != null) {
      return serving;
    }
    // Not a schema version the fast reader knows: decode it whole (throws when damaged).
    ResourceHeartbeat hb = EventCodec.RESOURCE_HEARTBEAT.decode(value);
    return new Serving(
        hb.getTime().toEpochMilli(), hb.getTtlMillis(), hb.getZone() == null ? "" : hb.getZone());
  }

  private Serving shareZone(Serving serving) {
    if (serving.zone().isEmpty()) {
      return serving;
    }
    String zone = zones.computeIfAbsent(serving.zone(), z -> z);
    return zone == serving.zone() ? serving : new Serving(serving.time(), serving.ttl(), zone);
  }

  // The view calls put and remove one at a time, so a nested map is never dropped under a put.

  private void put(String key, Serving serving) {
    int slash = key.lastIndexOf(Keys.SEPARATOR);
    if (slash > 0) {
      byResource
          .computeIfAbsent(key.substring(0, slash), r -> new ConcurrentSkipListMap<>())
          .put(key.substring(slash + 1), serving);
    }
  }

  private void remove(String key) {
    int slash = key.lastIndexOf(Keys.SEPARATOR);
    if (slash > 0) {
      String agent = key.substring(slash + 1);
      byResource.computeIfPresent(
          key.substring(0, slash),
          (resource, agents) -> {
            agents.remove(agent);
            return agents.isEmpty() ? null : agents;
          });
    }
  }

  @Override
  public void close() {
    view.close();
  }
}
