package io.gatehouse.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksStateStoreTest {
  @TempDir Path dir;

  @Test
  void batchWritesRecordsAndPositionsTogether() {
    try (StateStore store = StateStore.open(dir, List.of("heartbeats"))) {
      try (StateBatch batch = store.batch()) {
        batch.put("heartbeats", b("app/demo/a"), b("1"));
        batch.position("gatehouse.heartbeats", 0, 42);
        store.write(batch);
      }

      assertThat(store.table("heartbeats").get(b("app/demo/a"))).isEqualTo(b("1"));
      assertThat(store.positions()).isEqualTo(Map.of("gatehouse.heartbeats", Map.of(0, 42L)));
    }
  }

  @Test
  void deleteRemovesTheKey() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      write(store, batch -> batch.put("t", b("k"), b("v")));
      write(store, batch -> batch.delete("t", b("k")));

      assertThat(store.table("t").get(b("k"))).isNull();
    }
  }

  @Test
  void prefixScanReturnsOnlyThatResourcesAgents() {
    try (StateStore store = StateStore.open(dir, List.of("heartbeats"))) {
      write(
          store,
          batch -> {
            for (String key :
                List.of(
                    "app/demo/a",
                    "app/demo/b",
                    "app/demo2/a",
                    "app/dem/a",
                    "db/demo/a",
                    "app/demo/c")) {
              batch.put("heartbeats", b(key), b(key));
            }
          });

      assertThat(keys(store, "app/demo/"))
          .containsExactly("app/demo/a", "app/demo/b", "app/demo/c");
      assertThat(keys(store, "app/")).hasSize(5);
      assertThat(keys(store, "")).hasSize(6);
      assertThat(keys(store, "kube/")).isEmpty();
    }
  }

  @Test
  void scanStopsWhenTheVisitorSaysSo() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      write(store, batch -> List.of("a", "b", "c").forEach(k -> batch.put("t", b(k), b(k))));
      List<String> seen = new ArrayList<>();

      store.table("t").scan(new byte[0], (k, v) -> seen.add(s(k)) && seen.size() < 2);

      assertThat(seen).containsExactly("a", "b");
    }
  }

  @Test
  void prefixEndingInMaxByteStillScans() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      byte[] key = {'a', (byte) 0xFF, 'b'};
      write(store, batch -> batch.put("t", key, b("v")));
      List<byte[]> seen = new ArrayList<>();

      store.table("t").scan(new byte[] {'a', (byte) 0xFF}, (k, v) -> seen.add(k));

      assertThat(seen).singleElement().isEqualTo(key);
    }
  }

  @Test
  void reopenKeepsTablesAndPositions() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      write(
          store,
          batch -> {
            batch.put("t", b("k"), b("v"));
            batch.position("topic", 3, 7);
          });
    }

    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      assertThat(store.table("t").get(b("k"))).isEqualTo(b("v"));
      assertThat(store.positions()).containsEntry("topic", Map.of(3, 7L));
    }
  }

  @Test
  @SuppressWarnings("try") // the first store only has to hold the directory's lock
  void secondOpenOfTheSameDirectoryFailsNamingIt() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      assertThatThrownBy(() -> StateStore.open(dir, List.of("t")))
          .isInstanceOf(StateException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("another process");
    }
  }

  @Test
  void unknownTableIsAClearError() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      assertThatThrownBy(() -> store.table("nope"))
          .isInstanceOf(StateException.class)
          .hasMessageContaining("no table 'nope'")
          .hasMessageContaining("[t]");
    }
  }

  @Test
  void closeIsIdempotentAndWritesAfterCloseFail() {
    StateStore store = StateStore.open(dir, List.of("t"));
    StateBatch batch = store.batch();
    batch.put("t", b("k"), b("v"));
    store.close();
    store.close();

    assertThatThrownBy(() -> store.write(batch))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("closed");
    batch.close();
  }

  @Test
  void unloggedWriteIsReadableAndSurvivesACleanClose() {
    try (StateStore store = StateStore.open(dir, List.of("sessions"))) {
      try (StateBatch batch = store.batch()) {
        batch.put("sessions", b("s1"), b("pin"));
        store.writeUnlogged(batch);
      }
      assertThat(store.table("sessions").get(b("s1"))).isEqualTo(b("pin"));
    }

    try (StateStore store = StateStore.open(dir, List.of("sessions"))) {
      assertThat(store.table("sessions").get(b("s1"))).isEqualTo(b("pin"));
    }
  }

  @Test
  void compactKeepsEveryEntry() {
    try (StateStore store = StateStore.open(dir, List.of("t"))) {
      write(
          store,
          batch -> {
            for (int i = 0; i < 1000; i++) {
              batch.put("t", b("k" + i), b("v" + i));
            }
          });
      write(store, batch -> batch.delete("t", b("k7")));

      store.compact();

      List<String> keys = new ArrayList<>();
      store.table("t").scan(new byte[0], (k, v) -> keys.add(s(k)));
      assertThat(keys).hasSize(999).doesNotContain("k7");
      assertThat(store.sizeOnDisk()).isPositive();
    }
  }

  @Test
  void positionsTableNameIsReserved() {
    assertThatThrownBy(() -> StateStore.open(dir, List.of("positions")))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("reserved");
  }

  private static void write(StateStore store, java.util.function.Consumer<StateBatch> body) {
    try (StateBatch batch = store.batch()) {
      body.accept(batch);
      store.write(batch);
    }
  }

  private static List<String> keys(StateStore store, String prefix) {
    List<String> out = new ArrayList<>();
    store.table("heartbeats").scan(b(prefix), (k, v) -> out.add(s(k)));
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
