package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the API lists: resources with every detail of their agents, and dynamic definitions. Each
 * call scans the stored heartbeats or resources table (records carry labels, origin and URI, which
 * the routing table does not keep in memory) and judges each agent as {@link RoutingTable} does. It
 * blocks on RocksDB: call it off the event loop. Thread-safe.
 */
public final class ResourceListing {
  private final KeyValueStore heartbeats;
  private final KeyValueStore resources;
  private final RoutingTable table;

  /**
   * Lists from {@code store}, with the verdicts of {@code table} (tunnels, ejections, stream time).
   */
  public ResourceListing(StateStore store, RoutingTable table) {
    this.heartbeats = store.table(Topic.HEARTBEATS.suffix());
    this.resources = store.table(Topic.RESOURCES.suffix());
    this.table = Objects.requireNonNull(table, "table");
  }

  /**
   * The agents with a current record for {@code resource}, in agent-id order, with every detail.
   */
  public List<AgentStatus> agents(ResourceRef resource) {
    Instant seen = table.seenUpTo();
    List<AgentStatus> out = new ArrayList<>(4);
    heartbeats.scan(
        Keys.bytes(resource.heartbeatPrefix()),
        (key, value) -> {
          AgentStatus status = table.status(key, value, seen);
          if (status != null) {
            out.add(status);
          }
          return true;
        });
    return out;
  }

  /** Every resource with at least one current agent record, of one kind or all, in key order. */
  public Map<ResourceRef, List<AgentStatus>> all(Optional<ResourceKind> kind) {
    Instant seen = table.seenUpTo();
    Map<ResourceRef, List<AgentStatus>> out = new LinkedHashMap<>();
    heartbeats.scan(
        prefix(kind),
        (key, value) -> {
          ResourceHeartbeat hb = table.decodeHeartbeat(key, value);
          if (hb == null) {
            return true;
          }
          AgentStatus status = table.status(hb, seen);
          if (status != null) {
            ResourceKind.parse(hb.getKind())
                .ifPresent(
                    k ->
                        out.computeIfAbsent(
                                new ResourceRef(k, hb.getName()), r -> new ArrayList<>())
                            .add(status));
          }
          return true;
        });
    return out;
  }

  /** The dynamic definition of {@code resource} on {@code gatehouse.resources}, if any. */
  public Optional<ResourceDefinition> definition(ResourceRef resource) {
    byte[] value = resources.get(Keys.bytes(resource.key()));
    return Optional.ofNullable(
        value == null ? null : table.decode(EventCodec.RESOURCE_DEFINITION, resource.key(), value));
  }

  /** Every dynamic definition, of one kind or all, in key order. */
  public List<ResourceDefinition> definitions(Optional<ResourceKind> kind) {
    List<ResourceDefinition> out = new ArrayList<>();
    resources.scan(
        prefix(kind),
        (key, value) -> {
          ResourceDefinition d =
              table.decode(EventCodec.RESOURCE_DEFINITION, Keys.string(key), value);
          if (d != null) {
            out.add(d);
          }
          return true;
        });
    return out;
  }

  private static byte[] prefix(Optional<ResourceKind> kind) {
    return Keys.bytes(kind.map(k -> Keys.kindPrefix(k.word())).orElse(""));
  }
}
