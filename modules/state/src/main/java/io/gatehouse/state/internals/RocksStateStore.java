package io.gatehouse.state.internals;

import io.gatehouse.state.KeyValueStore;
import io.gatehouse.state.StateBatch;
import io.gatehouse.state.StateException;
import io.gatehouse.state.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link StateStore} on one RocksDB: a column family per table plus {@value #POSITIONS} for
 * consumer positions. Writes go through the WAL without fsync: a process crash loses nothing, a
 * machine crash may lose the last batches together with their positions (they are re-read).
 */
public final class RocksStateStore implements StateStore {
  static final String POSITIONS = "positions";

  /** Shared by every table; grows only as used; 1M heartbeats take about 150 MB uncompressed. */
  static final long BLOCK_CACHE_BYTES = 256L * 1024 * 1024;

  static {
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final Cache cache;
  private final BloomFilter filter;
  private final WriteOptions writeOptions;
  private final WriteOptions unloggedOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final Map<String, RocksTable> tables;
  private final ColumnFamilyHandle positions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RocksStateStore(
      Path directory,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      Cache cache,
      BloomFilter filter,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      Map<String, RocksTable> tables,
      ColumnFamilyHandle positions) {
    this.directory = directory;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.cache = cache;
    this.filter = filter;
    this.writeOptions = new WriteOptions();
    this.unloggedOptions = new WriteOptions().setDisableWAL(true);
    this.db = db;
    this.handles = handles;
    this.tables = tables;
    this.positions = positions;
  }

  public static RocksStateStore open(Path directory, Collection<String> tableNames) {
    if (tableNames.contains(POSITIONS)) {
      throw new StateException("table name '" + POSITIONS + "' is reserved for consumer positions");
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StateException(
          "cannot create state directory " + directory + ": " + e.getMessage(), e);
    }
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxBackgroundJobs(2)
            .setKeepLogFileNum(3);
    // Routing reads one resource's agents at a time: bloom filters skip files without the key,
    // a block cache keeps the hot table in memory, 4 KiB LZ4 blocks keep a miss cheap.
    Cache cache = new LRUCache(BLOCK_CACHE_BYTES);
    BloomFilter filter = new BloomFilter(10);
    ColumnFamilyOptions cfOptions =
        new ColumnFamilyOptions()
            .setWriteBufferSize(32L * 1024 * 1024)
            .setMaxWriteBufferNumber(3)
            .setTargetFileSizeBase(32L * 1024 * 1024)
            .setMaxBytesForLevelBase(128L * 1024 * 1024)
            .setLevelCompactionDynamicLevelBytes(true)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setTableFormatConfig(
                new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setFilterPolicy(filter)
                    // Index and filter blocks live beside the table readers, not in the LRU:
                    // no cache lookup for them on every get.
                    .setCacheIndexAndFilterBlocks(false)
                    .setBlockSize(4 * 1024));
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    descriptors.add(new ColumnFamilyDescriptor(bytes(POSITIONS), cfOptions));
    for (String name : tableNames) {
      descriptors.add(new ColumnFamilyDescriptor(bytes(name), cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      cfOptions.close();
      dbOptions.close();
      filter.close();
      cache.close();
      throw new StateException(
          "cannot open state store at "
              + directory
              + ": "
              + e.getMessage()
              + (String.valueOf(e.getMessage()).contains("lock")
                  ? " (is another process using it?)"
                  : ""),
          e);
    }
    Map<String, RocksTable> tables = new LinkedHashMap<>();
    int i = 2;
    for (String name : tableNames) {
      tables.put(name, new RocksTable(name, db, handles.get(i++)));
    }
    return new RocksStateStore(
        directory, dbOptions, cfOptions, cache, filter, db, handles, tables, handles.get(1));
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public KeyValueStore table(String name) {
    RocksTable table = tables.get(name);
    if (table == null) {
      throw new StateException(
          "state store "
              + directory
              + " has no table '"
              + name
              + "' (tables: "
              + tables.keySet()
              + ")");
    }
    return table;
  }

  @Override
  public StateBatch batch() {
    return new Batch();
  }

  @Override
  public void write(StateBatch batch) {
    ensureOpen();
    try {
      db.write(writeOptions, ((Batch) batch).batch);
    } catch (RocksDBException e) {
      throw new StateException(
          "cannot write batch to state store " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void writeUnlogged(StateBatch batch) {
    ensureOpen();
    try {
      db.write(unloggedOptions, ((Batch) batch).batch);
    } catch (RocksDBException e) {
      throw new StateException(
          "cannot write batch to state store " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Map<Integer, Long>> positions() {
    Map<String, Map<Integer, Long>> out = new TreeMap<>();
    new RocksTable(POSITIONS, db, positions)
        .scan(
            new byte[0],
            (k, v) -> {
              String key = new String(k, StandardCharsets.UTF_8);
              int slash = key.lastIndexOf('/');
              out.computeIfAbsent(key.substring(0, slash), t -> new TreeMap<>())
                  .put(Integer.parseInt(key.substring(slash + 1)), ByteBuffer.wrap(v).getLong());
              return true;
            });
    return out;
  }

  @Override
  public void compact() {
    ensureOpen();
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush, handles);
      for (ColumnFamilyHandle h : handles) {
        db.compactRange(h);
      }
    } catch (RocksDBException e) {
      throw new StateException(
          "cannot compact state store " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long sizeOnDisk() {
    long total = 0;
    try {
      for (ColumnFamilyHandle h : handles) {
        total += db.getLongProperty(h, "rocksdb.total-sst-files-size");
      }
    } catch (RocksDBException e) {
      throw new StateException("cannot read size of state store " + directory, e);
    }
    return total;
  }

  /**
   * Flushes memtables, then closes column-family handles, the database, its options, the filter and
   * the block cache, in that order. Idempotent; closes everything before reporting the first
   * failure.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    StateException failure = null;
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush, handles);
    } catch (RocksDBException e) {
      failure = new StateException("cannot flush state store " + directory + " on close", e);
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    try {
      db.closeE();
    } catch (RocksDBException e) {
      if (failure == null) {
        failure = new StateException("cannot close state store " + directory, e);
      }
    }
    writeOptions.close();
    unloggedOptions.close();
    cfOptions.close();
    dbOptions.close();
    filter.close();
    cache.close();
    if (failure != null) {
      throw failure;
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new StateException("state store " + directory + " is closed");
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] positionKey(String topic, int partition) {
    return bytes(topic + "/" + partition);
  }

  private final class Batch implements StateBatch {
    private final WriteBatch batch = new WriteBatch();
    private int size;

    @Override
    public void put(String table, byte[] key, byte[] value) {
      try {
        batch.put(handle(table), key, value);
        size++;
      } catch (RocksDBException e) {
        throw new StateException("cannot add put to batch for table " + table, e);
      }
    }

    @Override
    public void delete(String table, byte[] key) {
      try {
        batch.delete(handle(table), key);
        size++;
      } catch (RocksDBException e) {
        throw new StateException("cannot add delete to batch for table " + table, e);
      }
    }

    @Override
    public void position(String topic, int partition, long nextOffset) {
      try {
        batch.put(
            positions,
            positionKey(topic, partition),
            ByteBuffer.allocate(8).putLong(nextOffset).array());
      } catch (RocksDBException e) {
        throw new StateException(
            "cannot add position of " + topic + "-" + partition + " to batch", e);
      }
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void close() {
      batch.close();
    }

    private ColumnFamilyHandle handle(String table) {
      return ((RocksTable) table(table)).handle();
    }
  }
}
