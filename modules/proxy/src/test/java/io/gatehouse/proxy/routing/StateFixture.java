package io.gatehouse.proxy.routing;

import io.gatehouse.events.AgentBeat;
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
import java.util.Set;
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
  private final Set<String> connected = ConcurrentHashMap.newKeySet();
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
    AgentBeats beats = closer.register(AgentBeats.live(store, changes.asFlux()));
    return closer.register(
        new RoutingTable(store, beats, changes.asFlux(), stream, ejections, connected::contains),
        RoutingTable::close);
  }

  /** Each agent serves {@code kind/name}: its heartbeat and a serving beat, both at clock time. */
  void serve(String kind, String name, String... agentIds) {
    for (String agentId : agentIds) {
      heartbeat(kind, name, agentId, clock.instant());
      beat(agentId, clock.instant(), "serving");
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
            .build();
    put(
        Topic.HEARTBEATS,
        Keys.heartbeat(kind, name, agentId),
        EventCodec.RESOURCE_HEARTBEAT.encode(hb));
  }

  void beat(String agentId, Instant time, String state) {
    beat(agentId, time, state, Instant.EPOCH);
  }

  /** The agent's tunnel to the proxy closes (a beat opens it again). */
  void disconnect(String agentId) {
    connected.remove(agentId);
  }

  void beat(String agentId, Instant time, String state, Instant startedAt) {
    // An agent that beats is connected: the fixture's stand-in for its tunnel.
    connected.add(agentId);
    AgentBeat beat =
        AgentBeat.newBuilder()
            .setAgentId(agentId)
            .setAddress("127.0.0.1:2" + Math.abs(agentId.hashCode() % 1000))
            .setVersion("test")
            .setTime(time)
            .setState(state)
            .setTtlMillis(3000)
            .setStartedAt(startedAt)
            .build();
    put(Topic.AGENTS, agentId, EventCodec.AGENT_BEAT.encode(beat));
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

  /** The agent says goodbye: its beat is tombstoned and its tunnel closes. */
  void deleteBeat(String agentId) {
    connected.remove(agentId);
    put(Topic.AGENTS, agentId, null);
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
