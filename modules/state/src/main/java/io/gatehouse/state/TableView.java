package io.gatehouse.state;

import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * One table of a {@link StateStore} followed in memory: the stored table first, then every change
 * the materializer applies after it, each value turned into a {@code V} by a {@link Projection} and
 * handed to a {@link Listener} that keeps whatever shape its owner reads (a map, a set, a catalog).
 *
 * <p>Guarantees, whatever the timing of changes against the load:
 *
 * <ul>
 *   <li><b>Nothing missed, nothing resurrected.</b> The view subscribes to the changes before it
 *       scans the table. A key that changes while the scan runs is read again from the store once
 *       the scan is done: the store is the truth for it, since every change is published only after
 *       it is durable. So a key deleted during the load is removed even if the scan saw it.
 *   <li><b>No delete markers.</b> A delete is a {@link Listener#remove}; the view keeps nothing per
 *       key once loaded, so memory follows the keys that exist, not every key ever seen.
 *   <li><b>Damaged values counted once, in one place.</b> A value the projection cannot read is
 *       counted ({@link #damaged()}), the first one is logged with its table and key, and it is
 *       skipped: the key keeps what it had.
 *   <li><b>One thread at a time.</b> The listener is never called concurrently: by the opening
 *       thread during the load, then by the change stream's thread.
 * </ul>
 *
 * <p>After the load, changes are applied with the value they carry and in the order published. If
 * the stream fails (the materializer stopped and logged why), the view keeps what it has, as in an
 * outage. Close it to unsubscribe; the store is not closed.
 *
 * @param <V> what the owner keeps per key
 */
public final class TableView<V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableView.class);

  /** Reads one stored value; returns {@code null} or throws when the value is damaged. */
  @FunctionalInterface
  public interface Projection<V> {
    V project(String key, byte[] value);
  }

  /** Receives the view's entries as they are loaded and as they change. */
  public interface Listener<V> {
    /** {@code key} now holds {@code value} (never null). */
    void put(String key, V value);

    /** {@code key} is gone (deleted, or never there when re-read after the load). */
    void remove(String key);

    /** A listener of two functions. */
    static <V> Listener<V> of(BiConsumer<String, V> put, Consumer<String> remove) {
      Objects.requireNonNull(put, "put");
      Objects.requireNonNull(remove, "remove");
      return new Listener<>() {
        @Override
        public void put(String key, V value) {
          put.accept(key, value);
        }

        @Override
        public void remove(String key) {
          remove.accept(key);
        }
      };
    }
  }

  private final KeyValueStore table;
  private final Projection<V> projection;
  private final Projection<V> scanning;
  private final Listener<V> listener;
  private final AtomicLong damaged = new AtomicLong();
  private final Object lock = new Object();

  /** Keys changed while the table is scanned; {@code null} once loaded. Guarded by {@code lock}. */
  private Set<String> changedDuringLoad = new HashSet<>();

  private final Disposable subscription;

  private TableView(
      KeyValueStore table,
      Topic topic,
      Flux<StateChange> changes,
      Projection<V> projection,
      Projection<V> scanning,
      Listener<V> listener) {
    this.table = table;
    this.projection = Objects.requireNonNull(projection, "projection");
    this.scanning = Objects.requireNonNull(scanning, "scanning");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.subscription =
        changes
            .filter(c -> c.topic() == topic)
            .subscribe(
                this::onChange,
                e ->
                    LOG.warn(
                        "view of table {} no longer follows changes; it keeps what it has: {}",
                        table.name(),
                        e.toString()));
    load();
  }

  /**
   * Loads {@code topic}'s table from {@code store} into {@code listener}, then follows {@code
   * changes} (the materializer's). Returns once the stored table has been applied.
   */
  public static <V> TableView<V> open(
      StateStore store,
      Topic topic,
      Flux<StateChange> changes,
      Projection<V> projection,
      Listener<V> listener) {
    return open(store, topic, changes, projection, projection, listener);
  }

  /**
   * As {@link #open(StateStore, Topic, Flux, Projection, Listener)}, with {@code scanning} reading
   * the values of the initial scan only (on the opening thread, before any change is applied): e.g.
   * one that takes a value already known from the listener for a key it stands for, cheaper than
   * reading it again. Keys re-read after the scan and every change use {@code projection}.
   */
  public static <V> TableView<V> open(
      StateStore store,
      Topic topic,
      Flux<StateChange> changes,
      Projection<V> projection,
      Projection<V> scanning,
      Listener<V> listener) {
    return new TableView<>(
        store.table(topic.suffix()), topic, changes, projection, scanning, listener);
  }

  /** How many values the projection could not read, since the view was opened. */
  public long damaged() {
    return damaged.get();
  }

  /** Stops following changes; idempotent. What the listener holds stays. */
  @Override
  public void close() {
    subscription.dispose();
  }

  private void load() {
    table.scan(
        new byte[0],
        (k, v) -> {
          apply(Keys.string(k), v, scanning);
          return true;
        });
    synchronized (lock) {
      // The scan may have seen these keys before or after their change: read them once more.
      for (String key : changedDuringLoad) {
        apply(key, table.get(Keys.bytes(key)), projection);
      }
      changedDuringLoad = null;
    }
  }

  private void onChange(StateChange change) {
    synchronized (lock) {
      if (changedDuringLoad != null) {
        changedDuringLoad.add(change.key());
      } else {
        apply(change.key(), change.bytes(), projection);
      }
    }
  }

  private void apply(String key, byte[] bytes, Projection<V> projection) {
    try {
      if (bytes == null) {
        listener.remove(key);
        return;
      }
      V value = project(key, bytes, projection);
      if (value != null) {
        listener.put(key, value);
      }
    } catch (RuntimeException e) {
      // Never let one key stop the view: the stream would cancel it for good.
      LOG.warn("view of table {} cannot apply key {}: {}", table.name(), key, e.toString(), e);
    }
  }

  private V project(String key, byte[] bytes, Projection<V> projection) {
    V value;
    String problem;
    try {
      value = projection.project(key, bytes);
      problem = "the projection gave nothing";
    } catch (RuntimeException e) {
      value = null;
      problem = e.getMessage();
    }
    if (value == null && damaged.getAndIncrement() == 0) {
      LOG.error(
          "table {} holds an undecodable value at key {}; skipping it (further ones are counted"
              + " silently): {}",
          table.name(),
          key,
          problem);
    }
    return value;
  }
}
