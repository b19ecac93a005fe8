package io.gatehouse.proxy.routing;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A real state store with records written as the materializer would write them. */
final class StateFixture implements AutoCloseable {
  final StateStore store;

  StateFixture(Path dir) {
    store = StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
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

  void beat(String agentId, Instant time, String state, Instant startedAt) {
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

  void deleteBeat(String agentId) {
    try (StateBatch b = store.batch()) {
      b.delete(Topic.AGENTS.suffix(), Keys.bytes(agentId));
      store.write(b);
    }
  }

  private void put(Topic topic, String key, byte[] value) {
    try (StateBatch b = store.batch()) {
      b.put(topic.suffix(), Keys.bytes(key), value);
      store.write(b);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
