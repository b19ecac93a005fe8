package io.gatehouse.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The status hands out the last digest at once and recomputes it in the background, no more often
 * than its budget allows: with an injected clock and an executor the test runs by hand.
 */
class ProxyStatusTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicInteger passes = new AtomicInteger();
  private final AtomicLong value = new AtomicLong(0xA);
  private final Queue<Runnable> background = new ArrayDeque<>();

  /** A digest that takes {@code millis} of the clock per pass. */
  private ProxyStatus status(long millis) {
    return new ProxyStatus(
        "proxy-1",
        () -> true,
        () -> true,
        () -> "2026-12-04T00:00:00Z",
        () -> {
          passes.incrementAndGet();
          now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
          return value.get();
        },
        now::get,
        background::add);
  }

  @Test
  void theFirstStatusComputesTheDigestAndLaterOnesNeverWaitForIt() {
    ProxyStatus status = status(1);
    JsonObject first = status.current();
    assertThat(first.getString("healthDigest")).isEqualTo("a");
    assertThat(first.fieldNames())
        .containsExactlyInAnyOrder(
            "proxy", "caughtUp", "kafkaReachable", "seenUpTo", "healthDigest");
    assertThat(passes).hasValue(1);

    value.set(0xB);
    advance(ProxyStatus.MAX_AGE_MILLIS);
    // Due again: the pass is queued, and the caller gets the digest it has.
    assertThat(status.current().getString("healthDigest")).isEqualTo("a");
    assertThat(passes).hasValue(1);
    assertThat(background).hasSize(1);
    // Asked again while that pass is pending: no second pass is queued.
    assertThat(status.current().getString("healthDigest")).isEqualTo("a");
    assertThat(background).hasSize(1);

    background.poll().run();
    assertThat(passes).hasValue(2);
    assertThat(status.current().getString("healthDigest")).isEqualTo("b");
  }

  @Test
  void aSlowDigestIsRecomputedAtMostATenthOfTheTime() {
    ProxyStatus status = status(200);
    status.current();
    // The pass took 200 ms: the next is due 2 s after it began, not 500 ms.
    advance(1_500);
    status.current();
    assertThat(background).isEmpty();
    advance(400);
    status.current();
    assertThat(background).hasSize(1);
  }

  @Test
  void aFastDigestIsRecomputedEveryHalfSecond() {
    ProxyStatus status = status(0);
    status.current();
    advance(ProxyStatus.MAX_AGE_MILLIS - 1);
    status.current();
    assertThat(background).isEmpty();
    advance(1);
    status.current();
    assertThat(background).hasSize(1);
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
