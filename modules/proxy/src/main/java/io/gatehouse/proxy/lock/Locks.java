package io.gatehouse.proxy.lock;

import io.gatehouse.events.Lock;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;

/**
 * The locks every proxy enforces, from {@code gatehouse.locks}: a projection through a {@link
 * TableView}, so a lock written anywhere reaches this proxy as fast as the materializer reads, and
 * listeners act on it at once (a locked agent's tunnel is closed).
 *
 * <p>A lock with an expiry (a logout's lock on one credential) counts until then only: one already
 * expired when read is not kept, and {@link #expire} drops those that expired since, so revocations
 * do not pile up in memory. Thread-safe.
 */
public final class Locks implements AutoCloseable {
  /** The prefix of an agent lock's target. */
  public static final String AGENT = "agent/";

  /** The prefix of a user lock's target. */
  public static final String USER = "user/";

  /** The prefix of a credential's lock (a logout): its id, the {@code jti}, never the secret. */
  public static final String CREDENTIAL = "credential/";

  private final Map<String, Lock> locks = new ConcurrentHashMap<>();
  private final List<Consumer<Lock>> listeners = new CopyOnWriteArrayList<>();
  private final TableView<Lock> view;
  private final Clock clock;

  public Locks(StateStore store, Flux<StateChange> changes, Clock clock) {
    this.clock = clock;
    this.view =
        TableView.open(
            store,
            Topic.LOCKS,
            changes,
            (key, value) -> EventCodec.LOCK.decode(value),
            TableView.Listener.of(
                (key, lock) -> {
                  if (expired(lock)) {
                    locks.remove(key);
                    return;
                  }
                  locks.put(key, lock);
                  listeners.forEach(l -> l.accept(lock));
                },
                locks::remove));
  }

  /** The lock on agent {@code agentId}, if it is locked. */
  public Optional<Lock> agent(String agentId) {
    return Optional.ofNullable(locks.get(AGENT + agentId));
  }

  /** The lock on user {@code name}, if the user is locked. */
  public Optional<Lock> user(String name) {
    return Optional.ofNullable(locks.get(USER + name));
  }

  /** The lock on the credential whose id ({@code jti}) is {@code id}, if it was revoked. */
  public Optional<Lock> credential(String id) {
    return get(CREDENTIAL + id);
  }

  /** Every lock on an agent or a user, by target. */
  public List<Lock> agentsAndUsers() {
    return locks.values().stream()
        .filter(l -> l.getTarget().startsWith(AGENT) || l.getTarget().startsWith(USER))
        .sorted(Comparator.comparing(Lock::getTarget))
        .toList();
  }

  /** The lock on {@code target}, if one stands. */
  public Optional<Lock> get(String target) {
    return Optional.ofNullable(locks.get(target)).filter(l -> !expired(l));
  }

  /** Forgets the locks whose expiry has passed; returns how many. */
  public int expire() {
    int before = locks.size();
    locks.values().removeIf(this::expired);
    return before - locks.size();
  }

  private boolean expired(Lock lock) {
    return lock.getExpiresAt() != null && !clock.instant().isBefore(lock.getExpiresAt());
  }

  /** Runs {@code listener} for every lock that is placed from now on. */
  public void onLock(Consumer<Lock> listener) {
    listeners.add(listener);
  }

  /** How a refusal describes a lock: its target and, when given, its reason. */
  public static String describe(Lock lock) {
    return lock.getTarget()
        + " is locked"
        + (lock.getReason() == null ? "" : " (" + lock.getReason() + ")")
        + "; `gatehouse lock rm "
        + lock.getTarget()
        + "` lifts it";
  }

  @Override
  public void close() {
    view.close();
  }
}
