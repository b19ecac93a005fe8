package io.gatehouse.state.internals;

import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateException;
import java.util.Arrays;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/** One column family as a {@link KeyValueStore}. */
final class RocksTable implements KeyValueStore {
  private final String name;
  private final RocksDB db;
  private final ColumnFamilyHandle handle;

  RocksTable(String name, RocksDB db, ColumnFamilyHandle handle) {
    this.name = name;
    this.db = db;
    this.handle = handle;
  }

  ColumnFamilyHandle handle() {
    return handle;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(handle, key);
    } catch (RocksDBException e) {
      throw new StateException("cannot read key from table " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void scan(byte[] prefix, EntryVisitor visitor) {
    byte[] upper = upperBound(prefix);
    // The upper bound lets RocksDB stop at the end of the prefix instead of reading on.
    try (Slice bound = upper == null ? null : new Slice(upper);
        ReadOptions options = new ReadOptions();
        RocksIterator it = db.newIterator(handle, bound == null ? options : options.setIterateUpperBound(bound))) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (!startsWith(key, prefix) || !visitor.visit(key, it.value())) {
          break;
        }
      }
      try {
        it.status();
      } catch (RocksDBException e) {
        throw new StateException("scan of table " + name + " failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public long approximateCount() {
    try {
      return db.getLongProperty(handle, "rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      throw new StateException("cannot estimate size of table " + name, e);
    }
  }

  /** The smallest key greater than every key with this prefix, or null if there is none. */
  static byte[] upperBound(byte[] prefix) {
    byte[] bound = Arrays.copyOf(prefix, prefix.length);
    for (int i = bound.length - 1; i >= 0; i--) {
      if (bound[i] != (byte) 0xFF) {
        bound[i]++;
        return Arrays.copyOf(bound, i + 1);
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
