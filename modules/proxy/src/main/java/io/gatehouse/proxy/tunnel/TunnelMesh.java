package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.Keys;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * The mesh: which agent is connected to which proxy, from {@code gatehouse.tunnels}, in memory. A
 * projection of the tunnels table through a {@link TableView}, indexed by agent.
 *
 * <p>A proxy that crashes cannot tombstone its records, so they stay on the topic until it
 * restarts. The mesh therefore shows a record as <em>live</em> only while its proxy is: this proxy
 * itself, or one whose announcement in the {@link ProxyDirectory} is current (proxies announce
 * every 30 s and are taken as gone after 90 s, against the stream). What this proxy's own agents
 * are doing right now is {@link AgentTunnels}'s to say, without the round trip through Kafka; the
 * mesh is the cluster-wide picture for listings. Thread-safe.
 */
public final class TunnelMesh implements AutoCloseable {
  /** Presences by agent id, then by proxy id; each inner map is replaced, never changed. */
  private final Map<String, Map<String, TunnelPresence>> byAgent = new ConcurrentHashMap<>();

  private final String proxyId;
  private final ProxyDirectory directory;
  private final TableView<TunnelPresence> view;

  /**
   * Loads the tunnels table of {@code store}, then follows {@code changes} (the materializer's).
   *
   * @param proxyId this proxy, whose own records are live whatever the directory says
   * @param directory the proxies whose records are live
   */
  public TunnelMesh(
      String proxyId, StateStore store, Flux<StateChange> changes, ProxyDirectory directory) {
    this.proxyId = Objects.requireNonNull(proxyId, "proxyId");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.view =
        TableView.open(
            store,
            Topic.TUNNELS,
            changes,
            TunnelMesh::project,
            TableView.Listener.of(this::put, this::remove));
  }

  /** A record whose key does not name its own agent and proxy is damaged: set aside. */
  private static TunnelPresence project(String key, byte[] value) {
    TunnelPresence p = EventCodec.TUNNEL_PRESENCE.decode(value);
    return key.equals(Keys.tunnel(p.getAgentId(), p.getProxyId())) ? p : null;
  }

  private void put(String key, TunnelPresence p) {
    byAgent.compute(
        p.getAgentId(),
        (id, before) -> {
          SortedMap<String, TunnelPresence> after =
              before == null ? new TreeMap<>() : new TreeMap<>(before);
          after.put(p.getProxyId(), p);
          return Collections.unmodifiableSortedMap(after);
        });
  }

  private void remove(String key) {
    int slash = key.lastIndexOf(Keys.SEPARATOR);
    if (slash <= 0) {
      return;
    }
    String agentId = key.substring(0, slash);
    String proxy = key.substring(slash + 1);
    byAgent.computeIfPresent(
        agentId,
        (id, before) -> {
          SortedMap<String, TunnelPresence> after = new TreeMap<>(before);
          after.remove(proxy);
          return after.isEmpty() ? null : Collections.unmodifiableSortedMap(after);
        });
  }

  /** Whether {@code p}'s proxy is this one or a running one. */
  public boolean isLive(TunnelPresence p) {
    return p.getProxyId().equals(proxyId) || directory.isCurrent(p.getProxyId());
  }

  /**
   * The live presences of {@code agentId}, sorted by proxy id; empty when it is connected nowhere.
   */
  public List<TunnelPresence> of(String agentId) {
    Map<String, TunnelPresence> all = byAgent.get(agentId);
    if (all == null) {
      return List.of();
    }
    List<TunnelPresence> out = new ArrayList<>(all.size());
    for (TunnelPresence p : all.values()) {
      if (isLive(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Every agent with a live presence, in agent-id order, each with {@link #of its presences}. */
  public SortedMap<String, List<TunnelPresence>> agents() {
    SortedMap<String, List<TunnelPresence>> out = new TreeMap<>();
    for (String agentId : byAgent.keySet()) {
      List<TunnelPresence> live = of(agentId);
      if (!live.isEmpty()) {
        out.put(agentId, live);
      }
    }
    return out;
  }

  /**
   * Whether {@code agentId} told a live proxy it is draining: an agent drains as a whole, so what
   * it said on one tunnel holds for every proxy, even before the line reaches the others.
   */
  public boolean isDraining(String agentId) {
    return of(agentId).stream().anyMatch(p -> AgentTunnels.DRAINING.equals(p.getState()));
  }

  /**
   * The agents with a live tunnel to another proxy than this one, not draining: those a proxy that
   * has just started waits for ({@link AgentArrivals}). This proxy's own records, left by an
   * earlier run, do not count.
   */
  public List<String> servingElsewhere() {
    List<String> out = new ArrayList<>();
    for (String agentId : byAgent.keySet()) {
      List<TunnelPresence> live = of(agentId);
      if (live.stream().anyMatch(p -> !p.getProxyId().equals(proxyId))
          && live.stream().noneMatch(p -> AgentTunnels.DRAINING.equals(p.getState()))) {
        out.add(agentId);
      }
    }
    return out;
  }

  /**
   * The agents the topic holds a record of {@code proxyId} for, live or not: after a crash of this
   * proxy, the records it could not tombstone.
   */
  public List<String> agentsRecordedBy(String proxyId) {
    List<String> out = new ArrayList<>();
    byAgent.forEach(
        (agentId, presences) -> {
          if (presences.containsKey(proxyId)) {
            out.add(agentId);
          }
        });
    out.sort(null);
    return out;
  }

  /** How many records the view could not read. */
  public long damaged() {
    return view.damaged();
  }

  @Override
  public void close() {
    view.close();
  }
}
