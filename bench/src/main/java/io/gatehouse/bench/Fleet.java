package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.Map;

/** A simulated fleet: {@code agents} agents each serving the same {@code resources} resources. */
final class Fleet {
  final int resources;
  final int agents;

  Fleet(int resources, int agents) {
    this.resources = resources;
    this.agents = agents;
  }

  int size() {
    return resources * agents;
  }

  String name(int resource) {
    return "res-" + resource;
  }

  String agent(int agent) {
    return "agent-" + agent;
  }

  byte[] key(int resource, int agent) {
    return Keys.bytes(Keys.heartbeat("app", name(resource), agent(agent)));
  }

  /** Writes every heartbeat of the fleet to the store's heartbeats table, in 50k-record batches. */
  void writeHeartbeats(StateStore store) {
    StateBatch batch = store.batch();
    for (int r = 0; r < resources; r++) {
      for (int a = 0; a < agents; a++) {
        batch.put("heartbeats", key(r, a), value(r, a, 1));
      }
      if (batch.size() >= 50_000) {
        store.write(batch);
        batch.close();
        batch = store.batch();
      }
    }
    store.write(batch);
    batch.close();
  }

  /** Opens a store with a table per materialized topic. */
  static StateStore open(Path dir) {
    return StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
  }

  /** Deletes a temporary directory tree. */
  static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  byte[] value(int resource, int agent, long sequence) {
    return EventCodec.RESOURCE_HEARTBEAT.encode(
        ResourceHeartbeat.newBuilder()
            .setKind("app")
            .setName(name(resource))
            .setLabels(Map.of("env", "bench", "team", "t" + (resource % 16)))
            .setSpec(ResourceSpec.newBuilder().setUri("http://10.0." + (resource % 250) + ".1:8080").build())
            .setAgentId(agent(agent))
            .setAgentAddress("127.0.0." + (agent % 250 + 1) + ":3024")
            .setOrigin("static")
            .setSequence(sequence)
            .setTime(Instant.now())
            .build());
  }
}
