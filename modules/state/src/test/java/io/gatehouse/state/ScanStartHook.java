package io.gatehouse.state;

import java.nio.file.Path;
import java.util.Map;

/**
 * A real store that runs {@code hook} once, when a scan visits its first entry: a test can change
 * the table while a loader is half-way through it, as the materializer might. Closing it does not
 * close the real store; the test does. Shared with other modules' tests through the state test jar.
 */
public final class ScanStartHook implements StateStore {
  private final StateStore store;
  private final Runnable hook;

  public ScanStartHook(StateStore store, Runnable hook) {
    this.store = store;
    this.hook = hook;
  }

  @Override
  public KeyValueStore table(String name) {
    KeyValueStore table = store.table(name);
    return new KeyValueStore() {
      @Override
      public String name() {
        return table.name();
      }

      @Override
      public byte[] get(byte[] key) {
        return table.get(key);
      }

      @Override
      public void scan(byte[] prefix, EntryVisitor visitor) {
        boolean[] first = {true};
        table.scan(
            prefix,
            (k, v) -> {
              if (first[0]) {
                first[0] = false;
                hook.run();
              }
              return visitor.visit(k, v);
            });
      }

      @Override
      public long approximateCount() {
        return table.approximateCount();
      }
    };
  }

  @Override
  public Path directory() {
    return store.directory();
  }

  @Override
  public StateBatch batch() {
    return store.batch();
  }

  @Override
  public void write(StateBatch batch) {
    store.write(batch);
  }

  @Override
  public void writeUnlogged(StateBatch batch) {
    store.writeUnlogged(batch);
  }

  @Override
  public Map<String, Map<Integer, Long>> positions() {
    return store.positions();
  }

  @Override
  public void compact() {
    store.compact();
  }

  @Override
  public long sizeOnDisk() {
    return store.sizeOnDisk();
  }

  @Override
  public void close() {
    // Not ours: the test closes the real store.
  }
}
