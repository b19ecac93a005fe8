package io.gatehouse.proxy.lock;

import io.gatehouse.events.Lock;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
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
 * listeners act on it at once (a locked agent's tunnel is closed). Thread-safe.
 */
public final class Locks implements AutoCloseable {
  /** The prefix of an agent lock's target. */
  public static final String AGENT = "agent/";

  /** The prefix of a user lock's target. */
  public static final String USER = "user/";

  private final Map<String, Lock> locks = new ConcurrentHashMap<>();
  private final List<Consumer<Lock>> listeners = new CopyOnWriteArrayList<>();
  private final TableView<Lock> view;

  public Locks(StateStore store, Flux<StateChange> changes) {
    this.view =
        TableView.open(
            store,
            Topic.LOCKS,
            changes,
            (key, value) -> EventCodec.LOCK.decode(value),
            TableView.Listener.of(
                (key, lock) -> {
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
