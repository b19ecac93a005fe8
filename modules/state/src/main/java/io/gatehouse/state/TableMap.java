package io.gatehouse.state;

import io.gatehouse.events.topic.Topic;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;

/**
 * A compacted topic's table held in memory as a map, kept current through a {@link TableView}, with
 * listeners told of every key that changes (after the map holds the change). For small tables read
 * on every request (users, roles, locks): a lookup never touches RocksDB. Thread-safe.
 *
 * @param <V> the decoded value
 */
public final class TableMap<V> implements AutoCloseable {
  private final Map<String, V> entries = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final TableView<V> view;

  private TableMap(
      StateStore store, Topic topic, Flux<StateChange> changes, TableView.Projection<V> read) {
    this.view =
        TableView.open(
            store,
            topic,
            changes,
            read,
            TableView.Listener.of(
                (key, value) -> {
                  entries.put(key, value);
                  listeners.forEach(l -> l.accept(key));
                },
                key -> {
                  if (entries.remove(key) != null) {
                    listeners.forEach(l -> l.accept(key));
                  }
                }));
  }

  /** Loads {@code topic}'s stored table, then follows {@code changes}. */
  public static <V> TableMap<V> open(
      StateStore store, Topic topic, Flux<StateChange> changes, TableView.Projection<V> read) {
    return new TableMap<>(store, topic, changes, read);
  }

  public Optional<V> get(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** A snapshot of every entry. */
  public Map<String, V> all() {
    return Map.copyOf(entries);
  }

  /** Runs {@code listener} with the key of every entry written or removed from now on. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** Values the view could not decode (counted, set aside). */
  public long damaged() {
    return view.damaged();
  }

  @Override
  public void close() {
    view.close();
  }
}
