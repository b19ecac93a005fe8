package io.gatehouse.state;

/**
 * One table of a {@link StateStore}, as bytes. Reads are thread-safe and see every batch written
 * before they started; keys are ordered lexicographically as unsigned bytes.
 */
public interface KeyValueStore {
  /** The table's name (the column family). */
  String name();

  /** The value stored under {@code key}, or {@code null}. */
  byte[] get(byte[] key);

  /**
   * Visits every entry whose key starts with {@code prefix}, in key order, until the visitor
   * returns {@code false}. An empty prefix visits the whole table.
   */
  void scan(byte[] prefix, EntryVisitor visitor);

  /** RocksDB's estimate of the number of keys (cheap; exact only after compaction). */
  long approximateCount();

  /** Receives scanned entries; the arrays are the caller's to keep. */
  @FunctionalInterface
  interface EntryVisitor {
    /** Returns {@code false} to stop the scan. */
    boolean visit(byte[] key, byte[] value);
  }
}
