package io.gatehouse.proxy.routing;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.codec.EventDecodeException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.Liveness;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.StreamClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Which agents may take a new session for a resource, read from memory: who serves what from the
 * {@link ServingIndex}, loaded from local state and kept current through the materializer's
 * changes, and each agent's tunnel to this proxy from the tunnel registry ({@link
 * LocalTunnel.Lookup}), so selection ({@link #candidates}, {@link #isKnown}, asked per session and
 * per app request) does no RocksDB scan. Listing for the API, which scans the stored tables, is
 * {@link ResourceListing}'s.
 *
 * <p>An agent record is current while its resource heartbeat is younger than the heartbeat's TTL;
 * it is <em>healthy</em> when, in addition, the agent has a live tunnel to this proxy, is serving
 * (not draining), and this proxy has not ejected it since that tunnel opened. Ages are measured
 * against the {@link StreamClock}, which stands still while Kafka is unreachable, so an outage
 * never empties the table. Thread-safe.
 */
public final class RoutingTable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);

  /** The address of an agent with no tunnel here: it cannot be dialed anyway. */
  private static final String NO_ADDRESS = "no tunnel";

  private final KeyValueStore resources;
  private final StreamClock stream;
  private final Ejections ejections;
  private final LocalTunnel.Lookup tunnels;
  private final AtomicBoolean damageLogged = new AtomicBoolean();
  private final ServingIndex index;

  /**
   * The proxy's table over {@code store}: which agents serve which resource loaded into memory and
   * kept current through {@code changes}, and {@code tunnels} telling whether an agent has a live
   * tunnel to this proxy (no tunnel, no session here) and in which state. Close it to unsubscribe.
   */
  public RoutingTable(
      StateStore store,
      Flux<StateChange> changes,
      StreamClock stream,
      Ejections ejections,
      LocalTunnel.Lookup tunnels) {
    this.resources = store.table(Topic.RESOURCES.suffix());
    this.stream = Objects.requireNonNull(stream, "stream");
    this.ejections = Objects.requireNonNull(ejections, "ejections");
    this.tunnels = Objects.requireNonNull(tunnels, "tunnels");
    this.index = new ServingIndex(store, changes);
  }

  /**
   * The agents with a current record for {@code resource}, in agent-id order, each with its
   * verdict: what selection reads on every new session, so it decodes only what it needs.
   */
  public List<Candidate> candidates(ResourceRef resource) {
    Instant seen = stream.seenUpTo();
    List<Candidate> out = new ArrayList<>(4);
    for (Map.Entry<String, ServingIndex.Serving> e : index.agents(resource.key()).entrySet()) {
      if (!isCurrent(e.getValue(), seen)) {
        continue;
      }
      String agentId = e.getKey();
      Optional<LocalTunnel> tunnel = tunnels.of(agentId);
      String address = tunnel.map(LocalTunnel::remote).orElse(NO_ADDRESS);
      TargetHealth target =
          tunnel.map(t -> t.target(resource.key())).orElse(TargetHealth.UNREPORTED);
      out.add(
          new Candidate(
              new AgentEndpoint(agentId, address),
              health(agentId, tunnel),
              target,
              e.getValue().zone()));
    }
    return out;
  }

  /** Stops following changes; the store is not closed. */
  public void close() {
    index.close();
  }

  /** Whether a resource is known at all: defined, or with a current agent record. */
  public boolean isKnown(ResourceRef resource) {
    if (resources.get(Keys.bytes(resource.key())) != null) {
      return true;
    }
    Instant seen = stream.seenUpTo();
    // Asked on every app request (app or kube?): answer from memory, not a scan and decode.
    for (ServingIndex.Serving serving : index.agents(resource.key()).values()) {
      if (isCurrent(serving, seen)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every resource with a current agent record or a definition, counted by kind and by whether one
   * of its agents is healthy. Agents are read from memory; definitions cost one scan of the (small)
   * resources table.
   */
  public ResourceCensus census() {
    Instant seen = stream.seenUpTo();
    Map<String, Boolean> healthyByKey = new HashMap<>();
    index
        .all()
        .forEach(
            (resourceKey, servers) -> {
              boolean current = false;
              boolean healthy = false;
              for (Map.Entry<String, ServingIndex.Serving> e : servers.entrySet()) {
                if (isCurrent(e.getValue(), seen)) {
                  current = true;
                  healthy |= health(e.getKey()) == AgentStatus.Health.HEALTHY;
                }
              }
              if (current) {
                healthyByKey.put(resourceKey, healthy);
              }
            });
    resources.scan(
        new byte[0],
        (key, value) -> {
          healthyByKey.putIfAbsent(Keys.string(key), false);
          return true;
        });
    return ResourceCensus.of(healthyByKey);
  }

  /** The agents with a current record for some resource, in agent-id order. */
  public SortedSet<String> servingAgents() {
    Instant seen = stream.seenUpTo();
    SortedSet<String> out = new TreeSet<>();
    index
        .all()
        .values()
        .forEach(
            servers ->
                servers.forEach(
                    (agentId, serving) -> {
                      if (isCurrent(serving, seen)) {
                        out.add(agentId);
                      }
                    }));
    return out;
  }

  /**
   * The zone of each agent with a current record that names one ({@code agent.zone}), by agent id:
   * the zone of its newest record, as every record of an agent names the same one.
   */
  public Map<String, String> agentZones() {
    Instant seen = stream.seenUpTo();
    Map<String, String> zones = new HashMap<>();
    Map<String, Long> newest = new HashMap<>();
    index
        .all()
        .values()
        .forEach(
            servers ->
                servers.forEach(
                    (agentId, serving) -> {
                      if (isCurrent(serving, seen)
                          && !serving.zone().isEmpty()
                          && serving.time() >= newest.getOrDefault(agentId, Long.MIN_VALUE)) {
                        newest.put(agentId, serving.time());
                        zones.put(agentId, serving.zone());
                      }
                    }));
    return zones;
  }

  /** The tunnel {@code agentId} has to this proxy, if it has a live one. */
  public Optional<LocalTunnel> tunnel(String agentId) {
    return tunnels.of(agentId);
  }

  /**
   * The verdict on an agent as a whole (not for one resource): its tunnel here, its state, this
   * proxy's ejections.
   */
  public AgentStatus.Health health(String agentId) {
    return health(agentId, tunnels.of(agentId));
  }

  /**
   * A number that changes when the verdict on any agent changes, when what an agent says of a
   * resource's upstream changes, or when any agent's record for a resource appears, expires or
   * goes: what tells a watcher that health changed when no record says so (an agent killed without
   * a goodbye only goes stale). Order-independent; equal tables give equal digests. Reads memory
   * only.
   */
  public long healthDigest() {
    Instant seen = stream.seenUpTo();
    long digest = 0;
    for (String agentId : servingAgents()) {
      digest += mix(agentId, health(agentId).ordinal());
    }
    for (Map.Entry<String, ? extends Map<String, ServingIndex.Serving>> resource :
        index.all().entrySet()) {
      for (Map.Entry<String, ServingIndex.Serving> agent : resource.getValue().entrySet()) {
        if (isCurrent(agent.getValue(), seen)) {
          long record = recordHash(resource.getKey(), agent.getKey());
          digest += mix(record, -1);
          TargetHealth target =
              tunnels
                  .of(agent.getKey())
                  .map(t -> t.target(resource.getKey()))
                  .orElse(TargetHealth.UNREPORTED);
          if (target != TargetHealth.UNREPORTED) {
            digest += mix(record, -2 - target.state().ordinal());
          }
        }
      }
    }
    return digest;
  }

  /** One well-spread term of {@link #healthDigest}: summing them keeps the digest order-free. */
  static long mix(String key, int value) {
    return mix(key.hashCode(), value);
  }

  /**
   * The hash of one heartbeat record's key, {@code kind/name} and agent id, without joining them.
   */
  static long recordHash(String resourceKey, String agentId) {
    return resourceKey.hashCode() * 31L + agentId.hashCode();
  }

  /**
   * Spreads a key's hash and a value over 64 bits; the index path calls it per record, so no
   * strings.
   */
  static long mix(long keyHash, int value) {
    long h = (keyHash * 31L + value) * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
  }

  /** The time up to which this proxy has seen the stream. */
  public Instant seenUpTo() {
    return stream.seenUpTo();
  }

  /** The status a full heartbeat record describes, or null when it is damaged or not current. */
  AgentStatus status(byte[] key, byte[] value, Instant seen) {
    ResourceHeartbeat hb = decodeHeartbeat(key, value);
    return hb == null ? null : status(hb, seen);
  }

  /** The status of a decoded heartbeat record, or null when it is not current. */
  AgentStatus status(ResourceHeartbeat hb, Instant seen) {
    if (!isCurrent(hb, seen)) {
      return null;
    }
    String agentId = hb.getAgentId();
    Optional<LocalTunnel> tunnel = tunnels.of(agentId);
    String address = tunnel.map(LocalTunnel::remote).orElse(hb.getAgentAddress());
    return new AgentStatus(
        new AgentEndpoint(agentId, address),
        hb.getOrigin(),
        hb.getLabels(),
        hb.getSpec().getUri(),
        hb.getTime(),
        health(agentId, tunnel),
        // The tunnel hears every change at once; the record only what the writer last wrote.
        tunnel
            .map(t -> t.target(Keys.resource(hb.getKind(), hb.getName())))
            .filter(t -> t != TargetHealth.UNREPORTED)
            .orElseGet(() -> TargetHealth.of(hb.getTargetHealth())),
        hb.getZone() == null ? "" : hb.getZone());
  }

  /**
   * The verdict on agent {@code agentId}: its tunnel to this proxy decides whether it is alive and
   * whether it is draining, and this proxy's ejections whether it is skipped for a while (a failure
   * from before the tunnel opened says nothing about the agent behind it now).
   */
  AgentStatus.Health health(String agentId, Optional<LocalTunnel> tunnel) {
    if (tunnel.isEmpty()) {
      return AgentStatus.Health.NO_TUNNEL;
    }
    if (tunnel.get().draining()) {
      return AgentStatus.Health.DRAINING;
    }
    if (ejections.isEjected(agentId, tunnel.get().since())) {
      return AgentStatus.Health.EJECTED;
    }
    return AgentStatus.Health.HEALTHY;
  }

  private static boolean isCurrent(ResourceHeartbeat hb, Instant seen) {
    return Liveness.isFresh(hb.getTime(), Duration.ofMillis(hb.getTtlMillis()), seen);
  }

  private static boolean isCurrent(ServingIndex.Serving serving, Instant seen) {
    return Liveness.isFresh(
        Instant.ofEpochMilli(serving.time()), Duration.ofMillis(serving.ttl()), seen);
  }

  ResourceHeartbeat decodeHeartbeat(byte[] key, byte[] value) {
    return decode(EventCodec.RESOURCE_HEARTBEAT, Keys.string(key), value);
  }

  /**
   * Decodes a stored value, or logs (once) and returns null when it is damaged: the materializer
   * stores only values that decode, so this is a damaged file, and routing goes around it.
   */
  <T extends org.apache.avro.specific.SpecificRecord> T decode(
      EventCodec<T> codec, String key, byte[] value) {
    try {
      return codec.decode(value);
    } catch (EventDecodeException e) {
      if (damageLogged.compareAndSet(false, true)) {
        LOG.error(
            "state holds an undecodable {} at key {}; skipping it (further ones are skipped silently): {}",
            codec.type().getSimpleName(),
            key,
            e.getMessage());
      }
      return null;
    }
  }
}
