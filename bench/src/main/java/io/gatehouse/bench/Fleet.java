package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import java.time.Instant;
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
