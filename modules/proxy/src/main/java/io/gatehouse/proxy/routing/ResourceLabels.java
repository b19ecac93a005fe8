package io.gatehouse.proxy.routing;

import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * The labels of every resource, in memory, for authorization on every new session and listing: a
 * dynamic resource's are its definition's; a static one's are those of its latest heartbeat (its
 * agents' configuration). Equal label sets are shared, so a fleet of resources with a handful of
 * label sets costs one map each. Thread-safe.
 */
public final class ResourceLabels implements AutoCloseable {
  private final Map<String, Map<String, String>> defined = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> served = new ConcurrentHashMap<>();
  private final Map<Map<String, String>, Map<String, String>> shared = new ConcurrentHashMap<>();
  private final TableView<Map<String, String>> definitions;
  private final TableView<Map<String, String>> heartbeats;

  public ResourceLabels(StateStore store, Flux<StateChange> changes) {
    this.definitions =
        TableView.open(
            store,
            Topic.RESOURCES,
            changes,
            (key, value) -> {
              ResourceDefinition d = EventCodec.RESOURCE_DEFINITION.decode(value);
              return share(d.getLabels());
            },
            TableView.Listener.of(defined::put, defined::remove));
    this.heartbeats =
        TableView.open(
            store,
            Topic.HEARTBEATS,
            changes,
            (key, value) -> served(value),
            // The scan takes any agent's record of a resource for its labels (in key order, so
            // which one is arbitrary anyway): one read per resource, not per record. Changes and
            // keys re-read after the scan are each read, the latest winning.
            (key, value) -> {
              Map<String, String> known = served.get(resourceKey(key));
              return known != null ? known : served(value);
            },
            TableView.Listener.of(
                (key, labels) -> served.put(resourceKey(key), labels), key -> {}));
  }

  /** A heartbeat's labels, shared. */
  private Map<String, String> served(byte[] value) {
    // Only the labels, skipping the rest: a restart reads every heartbeat record.
    Map<String, String> labels = HeartbeatFields.labels(value);
    return share(labels != null ? labels : EventCodec.RESOURCE_HEARTBEAT.decode(value).getLabels());
  }

  /** The labels of {@code resource}; empty when it has none or is unknown. */
  public Map<String, String> of(ResourceRef resource) {
    String key = resource.key();
    Map<String, String> labels = defined.get(key);
    if (labels == null) {
      labels = served.get(key);
    }
    return labels == null ? Map.of() : labels;
  }

  private Map<String, String> share(Map<String, String> labels) {
    // Maps are equal by their entries: look the read one up before copying it.
    Map<String, String> known = shared.get(labels);
    if (known != null) {
      return known;
    }
    Map<String, String> copy = Map.copyOf(labels);
    return shared.computeIfAbsent(copy, c -> c);
  }

  /** {@code kind/name} of a heartbeat key {@code kind/name/agentId}. */
  private static String resourceKey(String heartbeatKey) {
    int last = heartbeatKey.lastIndexOf('/');
    return last < 0 ? heartbeatKey : heartbeatKey.substring(0, last);
  }

  @Override
  public void close() {
    definitions.close();
    heartbeats.close();
  }
}
