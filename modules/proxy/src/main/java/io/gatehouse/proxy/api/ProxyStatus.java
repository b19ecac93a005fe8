package io.gatehouse.proxy.api;

import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.state.Materializer;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a watcher of this proxy needs to know that no record on the stream announces: whether the
 * proxy has caught up with Kafka, whether Kafka is reachable, the time up to which it has seen the
 * stream, and a digest of every agent's health ({@link RoutingTable#healthDigest}), which changes
 * when an agent goes stale without a goodbye. Thread-safe.
 *
 * <p>The digest reads every heartbeat record in memory: about a tenth of a second at a million
 * records. So it is never computed on the caller's thread (an event loop serving users) but the
 * first time: it is recomputed in the background, at most every {@link #MAX_AGE_MILLIS} and at most
 * a {@link #BUDGET_DIVISOR}th of the time (a pass that took 100 ms waits 1 s for the next), and
 * {@link #current} hands out the last one finished.
 */
final class ProxyStatus {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyStatus.class);

  /** How old a digest may be when it is handed out again, on a small state. */
  static final long MAX_AGE_MILLIS = 500;

  /** The digest's passes take at most one part in this of one thread's time. */
  static final int BUDGET_DIVISOR = 10;

  private final String proxyId;
  private final BooleanSupplier caughtUp;
  private final BooleanSupplier kafkaReachable;
  private final Supplier<String> seenUpTo;
  private final LongSupplier digester;
  private final LongSupplier nanos;
  private final Executor background;
  private final AtomicBoolean computing = new AtomicBoolean();
  private volatile boolean computed;
  private volatile long digest;
  private volatile long dueNanos;

  ProxyStatus(String proxyId, Materializer materializer, RoutingTable table) {
    this(
        proxyId,
        materializer::isCaughtUp,
        materializer::isKafkaReachable,
        () -> table.seenUpTo().toString(),
        table::healthDigest,
        System::nanoTime,
        ForkJoinPool.commonPool());
  }

  /**
   * @param digester computes the health digest
   * @param nanos the clock the digest's schedule is kept by
   * @param background where the digest is recomputed
   */
  ProxyStatus(
      String proxyId,
      BooleanSupplier caughtUp,
      BooleanSupplier kafkaReachable,
      Supplier<String> seenUpTo,
      LongSupplier digester,
      LongSupplier nanos,
      Executor background) {
    this.proxyId = proxyId;
    this.caughtUp = caughtUp;
    this.kafkaReachable = kafkaReachable;
    this.seenUpTo = seenUpTo;
    this.digester = digester;
    this.nanos = nanos;
    this.background = background;
  }

  /**
   * {@code {"proxy","caughtUp","kafkaReachable","seenUpTo","healthDigest"}}: the first three as
   * they are now, the digest as last computed.
   */
  JsonObject current() {
    if (!computed) {
      synchronized (this) {
        if (!computed) {
          compute();
        }
      }
    } else if (nanos.getAsLong() - dueNanos >= 0 && computing.compareAndSet(false, true)) {
      background.execute(
          () -> {
            try {
              compute();
            } catch (RuntimeException e) {
              LOG.warn("proxy {}: cannot compute the health digest: {}", proxyId, e.toString());
            } finally {
              computing.set(false);
            }
          });
    }
    return new JsonObject()
        .put("proxy", proxyId)
        .put("caughtUp", caughtUp.getAsBoolean())
        .put("kafkaReachable", kafkaReachable.getAsBoolean())
        .put("seenUpTo", seenUpTo.get())
        // Text: a 64-bit number does not survive JavaScript's doubles.
        .put("healthDigest", Long.toHexString(digest));
  }

  private void compute() {
    long start = nanos.getAsLong();
    digest = digester.getAsLong();
    long took = nanos.getAsLong() - start;
    dueNanos =
        start + Math.max(TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS), BUDGET_DIVISOR * took);
    computed = true;
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
