package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.StreamClock;
import io.gatehouse.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Sinks;

/**
 * A real state store with records written as the materializer would write them: each write is
 * applied to the store, then published on {@link #changes}, so in-memory views follow it. Closes
 * the views it made, then the store.
 */
final class StateFixture implements AutoCloseable {
  /** Where {@link #clock} starts. */
  static final Instant T0 = Instant.parse("2026-11-23T21:00:00Z");

  /** Stream time and ejections of {@link #routingTable()}: a test moves time by advancing it. */
  final MutableClock clock = new MutableClock(T0);

  final StateStore store;

  /** The changes this fixture writes; tests may publish more (a tombstone the store never saw). */
  final Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();

  private final Closer closer = new Closer();
  private final Map<String, LocalTunnel> tunnels = new ConcurrentHashMap<>();
  private final Map<String, Map<String, TargetHealth>> targets = new ConcurrentHashMap<>();
  private final Map<String, String> zones = new ConcurrentHashMap<>();
  private long offset;

  StateFixture(Path dir) {
    store =
        closer.register(
            StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList()));
  }

  /**
   * The proxy's routing table on {@link #clock}, ejecting a failed agent for 10 s; closed with the
   * fixture.
   */
  RoutingTable routingTable() {
    return routingTable(clock::instant, new Ejections(clock, Duration.ofSeconds(10)));
  }

  /** The proxy's routing table over this store, following its changes; closed with the fixture. */
  RoutingTable routingTable(StreamClock stream, Ejections ejections) {
    return closer.register(
        new RoutingTable(
            store,
            changes.asFlux(),
            stream,
            ejections,
            agentId -> Optional.ofNullable(tunnels.get(agentId))),
        RoutingTable::close);
  }

  /** Each agent serves {@code kind/name}: its heartbeat at clock time, and a serving tunnel. */
  void serve(String kind, String name, String... agentIds) {
    for (String agentId : agentIds) {
      heartbeat(kind, name, agentId, clock.instant());
      connect(agentId, "serving");
    }
  }

  void heartbeat(String kind, String name, String agentId, Instant time) {
    heartbeat(kind, name, agentId, time, Map.of());
  }

  void heartbeat(
      String kind, String name, String agentId, Instant time, Map<String, String> labels) {
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind(kind)
            .setName(name)
            .setLabels(labels)
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:8080").build())
            .setAgentId(agentId)
            .setAgentAddress("127.0.0.1:1" + Math.abs(agentId.hashCode() % 1000))
            .setOrigin("static")
            .setSequence(1)
            .setTime(time)
            .setTtlMillis(Duration.ofMinutes(3).toMillis())
            .setZone(zones.get(agentId))
            .build();
    put(
        Topic.HEARTBEATS,
        Keys.heartbeat(kind, name, agentId),
        EventCodec.RESOURCE_HEARTBEAT.encode(hb));
  }

  /** The agent's heartbeats from now on say it runs in {@code zone}. */
  void zone(String agentId, String zone) {
    zones.put(agentId, zone);
  }

  /** The agent's tunnel to the proxy opens at clock time, {@code serving} or {@code draining}. */
  void connect(String agentId, String state) {
    connect(agentId, clock.instant(), state);
  }

  /** The agent's tunnel to the proxy opened at {@code since}. */
  void connect(String agentId, Instant since, String state) {
    tunnels.put(
        agentId,
        new LocalTunnel(
            since,
            "127.0.0.1:2" + Math.abs(agentId.hashCode() % 1000),
            "draining".equals(state),
            targetsOf(agentId)));
  }

  /** The agent says on its tunnel that the upstream of {@code kind/name} is {@code state}. */
  void target(String agentId, String kind, String name, TargetHealth.State state) {
    targetsOf(agentId)
        .put(Keys.resource(kind, name), new TargetHealth(state, "checked", clock.instant()));
  }

  private Map<String, TargetHealth> targetsOf(String agentId) {
    return targets.computeIfAbsent(agentId, id -> new ConcurrentHashMap<>());
  }

  /** The agent's tunnel to the proxy closes. */
  void disconnect(String agentId) {
    tunnels.remove(agentId);
  }

  void define(String kind, String name) {
    ResourceDefinition d =
        ResourceDefinition.newBuilder()
            .setKind(kind)
            .setName(name)
            .setLabels(Map.of("env", "dev"))
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build())
            .setUpdatedAt(Instant.EPOCH)
            .build();
    put(Topic.RESOURCES, Keys.resource(kind, name), EventCodec.RESOURCE_DEFINITION.encode(d));
  }

  void deleteHeartbeat(String kind, String name, String agentId) {
    put(Topic.HEARTBEATS, Keys.heartbeat(kind, name, agentId), null);
  }

  private void put(Topic topic, String key, byte[] value) {
    try (StateBatch b = store.batch()) {
      if (value == null) {
        b.delete(topic.suffix(), Keys.bytes(key));
      } else {
        b.put(topic.suffix(), Keys.bytes(key), value);
      }
      store.write(b);
    }
    changes.tryEmitNext(new StateChange(topic, key, value, 0, offset++));
  }

  @Override
  public void close() {
    closer.close(e -> new IllegalStateException("closing the state fixture failed", e));
  }
}
