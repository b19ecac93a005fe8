package io.gatehouse.state;

import io.gatehouse.state.internals.RocksStateStore;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * The one local database of a Gatehouse process: a table per materialized topic plus the consumer
 * positions, in one RocksDB so that records and the offsets they came from are written in one
 * atomic batch. A crash therefore never leaves the tables ahead of or behind their positions.
 */
public interface StateStore extends AutoCloseable {
  /** Opens (creating if needed) the store in {@code directory} with the given tables. */
  static StateStore open(Path directory, Collection<String> tables) {
    return RocksStateStore.open(directory, tables);
  }

  Path directory();

  /** A table by name; fails with the known names if there is none. */
  KeyValueStore table(String name);

  StateBatch batch();

  /** Applies the batch atomically. */
  void write(StateBatch batch);

  /**
   * Applies the batch atomically without the write-ahead log: for local writes whose source of
   * truth is a Kafka topic the materializer will apply anyway (a proxy's own session pins). A
   * process crash may lose such a write; a clean {@link #close()} does not.
   */
  void writeUnlogged(StateBatch batch);

  /** Stored positions, keyed by {@code topic} then partition: the next offset to read. */
  Map<String, Map<Integer, Long>> positions();

  /**
   * Flushes memtables and compacts every table, as background compaction eventually would. Reads
   * afterwards touch one file per level; useful after a bulk restore and in benchmarks.
   */
  void compact();

  /** Total size of the store's files on disk, in bytes (estimate). */
  long sizeOnDisk();

  /** Flushes memtables and closes the database; idempotent. */
  @Override
  void close();
}
