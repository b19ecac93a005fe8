package io.gatehouse.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Sinks;

/** A table view loads the stored table, follows the changes, and never loses or revives a key. */
class TableViewTest {
  private static final String TABLE = Topic.AGENTS.suffix();

  @TempDir Path dir;
  private StateStore store;
  private final Sinks.Many<StateChange> changes = Sinks.many().multicast().directBestEffort();
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final TableView.Listener<String> listener =
      TableView.Listener.of(seen::put, seen::remove);
  private long offset;

  @BeforeEach
  void open() {
    store = StateStore.open(dir, List.of(TABLE));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void loadsTheStoredTableThenFollowsChanges() {
    write("agent-a", "1");
    write("agent-b", "1");
    try (TableView<String> view = open(store)) {
      assertThat(seen).containsOnly(Map.entry("agent-a", "1"), Map.entry("agent-b", "1"));

      write("agent-c", "1");
      write("agent-a", "2");
      write("agent-b", null);
      assertThat(seen).containsOnly(Map.entry("agent-a", "2"), Map.entry("agent-c", "1"));
      assertThat(view.damaged()).isZero();
    }
  }

  @Test
  void keyChangedWhileTheTableLoadsEndsAsTheStoreHasIt() {
    write("agent-a", "1");
    write("agent-b", "1");
    write("agent-c", "1");
    // Once the scan has begun (its iterator sees the table as it was), b goes and d comes.
    StateStore racing =
        new ScanStartHook(
            store,
            () -> {
              write("agent-b", null);
              write("agent-d", "1");
            });
    try (TableView<String> view = open(racing)) {
      assertThat(seen)
          .containsOnly(
              Map.entry("agent-a", "1"), Map.entry("agent-c", "1"), Map.entry("agent-d", "1"));
      assertThat(view.damaged()).isZero();
    }
  }

  @Test
  void aScanningProjectionReadsTheScanOnlyAndChangesAndReReadsUseTheFullOne() {
    write("agent-a", "1");
    write("agent-b", "1");
    write("agent-c", "1");
    // While the scan runs, b changes: its re-read after the scan is the full projection's.
    StateStore racing = new ScanStartHook(store, () -> write("agent-b", "2"));
    try (TableView<String> view =
        TableView.open(
            racing,
            Topic.AGENTS,
            changes.asFlux(),
            TableViewTest::project,
            (key, value) -> "scanned " + project(key, value),
            listener)) {
      assertThat(seen)
          .containsOnly(
              Map.entry("agent-a", "scanned 1"),
              Map.entry("agent-b", "2"),
              Map.entry("agent-c", "scanned 1"));
      write("agent-c", "3");
      assertThat(seen).containsEntry("agent-c", "3");
      assertThat(view.damaged()).isZero();
    }
  }

  @Test
  void damagedValueIsCountedOnceAndSkipped() {
    write("agent-a", "damaged");
    try (TableView<String> view = open(store)) {
      assertThat(seen).isEmpty();
      assertThat(view.damaged()).isEqualTo(1);

      write("agent-b", "throws");
      write("agent-c", "1");
      assertThat(view.damaged()).isEqualTo(2);
      write("agent-a", "2");
      assertThat(seen).containsOnly(Map.entry("agent-a", "2"), Map.entry("agent-c", "1"));
    }
  }

  @Test
  void listenerThatFailsForOneKeyDoesNotStopTheView() {
    TableView.Listener<String> failing =
        TableView.Listener.of(
            (key, value) -> {
              if (key.equals("agent-x")) {
                throw new IllegalStateException("cannot take " + key);
              }
              seen.put(key, value);
            },
            seen::remove);
    try (TableView<String> view =
        TableView.open(store, Topic.AGENTS, changes.asFlux(), TableViewTest::project, failing)) {
      write("agent-x", "1");
      write("agent-a", "1");
      assertThat(seen).containsOnly(Map.entry("agent-a", "1"));
      assertThat(view.damaged()).as("a failing listener is not a damaged value").isZero();
    }
  }

  @Test
  void closedViewFollowsNothingMore() {
    TableView<String> view = open(store);
    view.close();
    view.close();
    write("agent-a", "1");
    assertThat(seen).isEmpty();
  }

  @Test
  void changesOfOtherTablesAreIgnored() {
    try (TableView<String> view = open(store)) {
      changes.tryEmitNext(new StateChange(Topic.SESSIONS, "s-1", bytes("damaged"), 0, 0));
      assertThat(seen).isEmpty();
      assertThat(view.damaged()).isZero();
    }
  }

  private TableView<String> open(StateStore from) {
    return TableView.open(from, Topic.AGENTS, changes.asFlux(), TableViewTest::project, listener);
  }

  /** Reads values as text; "damaged" gives nothing and "throws" throws, as a bad decode would. */
  private static String project(String key, byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    if (text.equals("throws")) {
      throw new IllegalArgumentException("not a value: " + text);
    }
    return text.equals("damaged") ? null : text;
  }

  /** As the materializer does: writes the store, then publishes the change. */
  private void write(String key, String value) {
    try (StateBatch batch = store.batch()) {
      if (value == null) {
        batch.delete(TABLE, Keys.bytes(key));
      } else {
        batch.put(TABLE, Keys.bytes(key), bytes(value));
      }
      store.write(batch);
    }
    changes.tryEmitNext(
        new StateChange(Topic.AGENTS, key, value == null ? null : bytes(value), 0, offset++));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
