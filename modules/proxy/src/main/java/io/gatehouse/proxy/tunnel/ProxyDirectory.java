package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.Liveness;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.StreamClock;
import io.gatehouse.state.TableView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * Every proxy of the cluster and where agents reach it, from {@code gatehouse.proxies}: what a
 * proxy tells each agent that connects, so the agent keeps a tunnel to all of them. A projection of
 * the proxies table through a {@link TableView}; an announcement older than its TTL (measured
 * against the stream, so a Kafka outage forgets nobody) is left out. Thread-safe.
 */
public final class ProxyDirectory implements AutoCloseable {
  private final Map<String, ProxyAnnouncement> proxies = new ConcurrentHashMap<>();
  // One per control stream: a set, so a reconnect storm of N agents is not O(N²) array copies.
  private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
  private final StreamClock stream;
  private final TableView<ProxyAnnouncement> view;

  public ProxyDirectory(StateStore store, Flux<StateChange> changes, StreamClock stream) {
    this.stream = stream;
    this.view =
        TableView.open(
            store,
            Topic.PROXIES,
            changes,
            (key, value) -> EventCodec.PROXY_ANNOUNCEMENT.decode(value),
            TableView.Listener.of(
                (key, value) -> {
                  ProxyAnnouncement before = proxies.put(key, value);
                  if (before == null || !before.getAddress().equals(value.getAddress())) {
                    listeners.forEach(Runnable::run);
                  }
                },
                key -> {
                  if (proxies.remove(key) != null) {
                    listeners.forEach(Runnable::run);
                  }
                }));
  }

  /** The proxies whose announcement is current, sorted by id. */
  public List<ProxyAnnouncement> current() {
    return proxies.values().stream()
        .filter(this::isFresh)
        .sorted(java.util.Comparator.comparing(ProxyAnnouncement::getProxyId))
        .toList();
  }

  /** Whether {@code proxyId}'s announcement is current: the proxy is taken as running. */
  public boolean isCurrent(String proxyId) {
    ProxyAnnouncement p = proxies.get(proxyId);
    return p != null && isFresh(p);
  }

  /** Runs {@code listener} whenever a proxy appears, moves or goes. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Stops telling {@code listener}. */
  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }

  private boolean isFresh(ProxyAnnouncement p) {
    return Liveness.isFresh(p.getTime(), Duration.ofMillis(p.getTtlMillis()), stream.seenUpTo());
  }

  @Override
  public void close() {
    view.close();
  }
}
