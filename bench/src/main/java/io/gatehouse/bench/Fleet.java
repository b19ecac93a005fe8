package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A simulated fleet: {@code resources} resources, each served by {@code agents} agents (its
 * replicas). In the shared layout ({@link #Fleet(int, int)}) the same {@code agents} agents serve
 * every resource; in the grouped layout ({@link #grouped}) every agent is distinct and serves
 * {@link #resourcesPerAgent} resources, with its group of {@code agents} agents. Agent addresses
 * are distinct loopback addresses ({@code 127.x.y.z:3024}) that nothing dials.
 */
final class Fleet {
  /** Number of resources. */
  final int resources;

  /** Agents per resource (replicas). */
  final int agents;

  /** Resources each agent serves; equal to {@link #resources} in the shared layout. */
  final int resourcesPerAgent;

  /** Heartbeat and beat TTL written in records; {@code null} leaves the schema's default. */
  private final Duration ttl;

  Fleet(int resources, int agents) {
    this(resources, agents, resources, null);
  }

  private Fleet(int resources, int agents, int resourcesPerAgent, Duration ttl) {
    this.resources = resources;
    this.agents = agents;
    this.resourcesPerAgent = resourcesPerAgent;
    this.ttl = ttl;
  }

  /**
   * {@code distinctAgents} agents in groups of {@code agentsPerResource}; each group serves its own
   * {@code resourcesPerAgent} resources, so every agent writes {@code resourcesPerAgent} heartbeats
   * and every resource has {@code agentsPerResource} agents. Records carry {@code ttl}.
   */
  static Fleet grouped(
      int distinctAgents, int resourcesPerAgent, int agentsPerResource, Duration ttl) {
    if (distinctAgents % agentsPerResource != 0) {
      throw new IllegalArgumentException(
          distinctAgents + " agents do not split into groups of " + agentsPerResource);
    }
    return new Fleet(
        distinctAgents / agentsPerResource * resourcesPerAgent,
        agentsPerResource,
        resourcesPerAgent,
        ttl);
  }

  /** Heartbeat records: one per (resource, agent serving it). */
  int size() {
    return resources * agents;
  }

  /** Distinct agents. */
  int agentCount() {
    return resources / resourcesPerAgent * agents;
  }

  String name(int resource) {
    return "res-" + resource;
  }

  /** The id of a distinct agent, {@code 0 <= agent < agentCount()}. */
  String agent(int agent) {
    return "agent-" + agent;
  }

  /** The distinct agent that is replica {@code replica} of {@code resource}. */
  int agentOf(int resource, int replica) {
    return resource / resourcesPerAgent * agents + replica;
  }

  /** A distinct loopback address per agent; for the first 254 agents {@code 127.0.0.(n+1)}. */
  String address(int agent) {
    int n = agent + 1;
    return "127." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255) + ":3024";
  }

  byte[] key(int resource, int replica) {
    return Keys.bytes(Keys.heartbeat("app", name(resource), agent(agentOf(resource, replica))));
  }

  byte[] value(int resource, int replica, long sequence) {
    return EventCodec.RESOURCE_HEARTBEAT.encode(
        heartbeat(name(resource), resource, agentOf(resource, replica), sequence, Instant.now()));
  }

  /**
   * The heartbeat {@code agent} writes for a resource called {@code name}, shaped like resource
   * {@code like}'s.
   */
  ResourceHeartbeat heartbeat(String name, int like, int agent, long sequence, Instant time) {
    ResourceHeartbeat.Builder b =
        ResourceHeartbeat.newBuilder()
            .setKind("app")
            .setName(name)
            .setLabels(Map.of("env", "bench", "team", "t" + (like % 16)))
            .setSpec(
                ResourceSpec.newBuilder().setUri("http://10.0." + (like % 250) + ".1:8080").build())
            .setAgentId(agent(agent))
            .setAgentAddress(address(agent))
            .setOrigin("static")
            .setSequence(sequence)
            .setTime(time);
    if (ttl != null) {
      b.setTtlMillis(ttl.toMillis());
    }
    return b.build();
  }

  /**
   * Sends every heartbeat of the fleet and flushes.
   *
   * @return the records sent
   */
  long produce(KafkaProducer<byte[], byte[]> producer, TopicNames names) {
    String heartbeats = names.of(Topic.HEARTBEATS);
    for (int r = 0; r < resources; r++) {
      for (int a = 0; a < agents; a++) {
        producer.send(new ProducerRecord<>(heartbeats, key(r, a), value(r, a, 1)));
      }
    }
    producer.flush();
    return size();
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
}
