package io.gatehouse.state;

/**
 * Writes to several tables and consumer positions, applied by {@link StateStore#write} all at once
 * or not at all. Not thread-safe; close it when done (it holds native memory).
 */
public interface StateBatch extends AutoCloseable {
  void put(String table, byte[] key, byte[] value);

  void delete(String table, byte[] key);

  /**
   * Records that {@code nextOffset} is the next offset to read from {@code topic}/{@code
   * partition}.
   */
  void position(String topic, int partition, long nextOffset);

  /** Number of puts and deletes (positions not counted). */
  int size();

  @Override
  void close();
}
