package io.gatehouse.proxy.api;

import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.state.Materializer;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What a watcher of this proxy needs to know that no record on the stream announces: whether the
 * proxy has caught up with Kafka, whether Kafka is reachable, the time up to which it has seen the
 * stream, and a digest of every agent's health ({@link RoutingTable#healthDigest}), which changes
 * when an agent goes stale without a goodbye. Computed at most once per {@link #MAX_AGE_MILLIS},
 * however many event streams ask; the computation reads memory only. Thread-safe.
 */
final class ProxyStatus {
  /** How old a computed status may be when it is handed out again. */
  static final long MAX_AGE_MILLIS = 500;

  private final String proxyId;
  private final Materializer materializer;
  private final RoutingTable table;
  private JsonObject last;
  private long computedAtNanos;

  ProxyStatus(String proxyId, Materializer materializer, RoutingTable table) {
    this.proxyId = proxyId;
    this.materializer = materializer;
    this.table = table;
  }

  /**
   * {@code {"proxy","caughtUp","kafkaReachable","seenUpTo","healthDigest"}}, at most half a second
   * old.
   */
  synchronized JsonObject current() {
    long now = System.nanoTime();
    if (last == null || now - computedAtNanos >= TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS)) {
      last =
          new JsonObject()
              .put("proxy", proxyId)
              .put("caughtUp", materializer.isCaughtUp())
              .put("kafkaReachable", materializer.isKafkaReachable())
              .put("seenUpTo", table.seenUpTo().toString())
              // Text: a 64-bit number does not survive JavaScript's doubles.
              .put("healthDigest", Long.toHexString(table.healthDigest()));
      computedAtNanos = now;
    }
    return last;
  }

  /**
   * Whether a client that saw {@code before} should hear of {@code now}: {@code seenUpTo} alone
   * moves with every record, so it does not count.
   */
  static boolean changed(JsonObject before, JsonObject now) {
    return before == null
        || !Objects.equals(before.getBoolean("caughtUp"), now.getBoolean("caughtUp"))
        || !Objects.equals(before.getBoolean("kafkaReachable"), now.getBoolean("kafkaReachable"))
        || !Objects.equals(before.getString("healthDigest"), now.getString("healthDigest"));
  }
}
