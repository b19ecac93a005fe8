package io.gatehouse.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for something that happens asynchronously, by polling it until a deadline:
 *
 * <pre>{@code
 * Eventually.within(Duration.ofSeconds(10)).untilAsserted(() ->
 *         assertThat(store.get("agent-1")).isEqualTo(expected));
 * }</pre>
 *
 * <p>Guarantees: the check runs at least once, even with a zero timeout, and then every 10 to 50 ms
 * (starting fast, backing off) until it passes or the timeout has elapsed; on timeout an {@link
 * AssertionError} is thrown that names the timeout and, for {@link
 * #untilAsserted(ThrowingRunnable)}, carries the last failure as its cause. The calling thread does
 * the polling; nothing runs in the background.
 */
public final class Eventually {

  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Duration timeout;

  private Eventually(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Starts a wait of at most {@code timeout}.
   *
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static Eventually within(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    return new Eventually(timeout);
  }

  /**
   * Returns once {@code condition} is true. An exception thrown by the condition is not retried: it
   * propagates at once.
   *
   * @throws AssertionError if the condition is still false when the timeout has elapsed
   */
  public void until(BooleanSupplier condition) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (!condition.getAsBoolean()) {
      pause = pauseOrFail(deadline, pause, null);
    }
  }

  /**
   * Returns once {@code assertion} completes without throwing. An {@link AssertionError} or an
   * {@link Exception} means "not yet" and is retried; other errors propagate at once, and an {@link
   * InterruptedException} ends the wait.
   *
   * @throws AssertionError if the assertion still fails when the timeout has elapsed, with the last
   *     failure as its cause
   */
  public void untilAsserted(ThrowingRunnable assertion) {
    Objects.requireNonNull(assertion, "assertion");
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      try {
        assertion.run();
        return;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting up to " + timeout, interrupted);
      } catch (AssertionError | Exception failure) {
        pause = pauseOrFail(deadline, pause, failure);
      }
    }
  }

  /** Parks before the next attempt and returns the following pause, or throws at the deadline. */
  private long pauseOrFail(long deadline, long pause, Throwable lastFailure) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      String message =
          lastFailure == null
              ? "Condition still false after " + timeout
              : "Assertion still failing after " + timeout + ": " + lastFailure;
      throw new AssertionError(message, lastFailure);
    }
    LockSupport.parkNanos(Math.min(pause, remaining));
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting up to " + timeout, lastFailure);
    }
    return Math.min(pause * 2, MAX_PAUSE_NANOS);
  }

  /**
   * An assertion block that may throw checked exceptions, such as a Kafka future's {@code get()}.
   */
  @FunctionalInterface
  public interface ThrowingRunnable {
    /** Runs the block; throwing means it has not passed yet. */
    void run() throws Exception;
  }
}
