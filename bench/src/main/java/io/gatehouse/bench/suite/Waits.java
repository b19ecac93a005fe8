package io.gatehouse.bench.suite;

import io.gatehouse.testkit.Eventually;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Waits for the suite's processes and conditions, polling with testkit's {@link Eventually}. */
final class Waits {
  private Waits() {}

  /**
   * Waits until {@code condition} returns true (exceptions count as false); fails naming {@code
   * what} and the last exception.
   */
  static void until(String what, Duration timeout, Callable<Boolean> condition) {
    AtomicReference<Exception> last = new AtomicReference<>();
    try {
      Eventually.within(timeout)
          .until(
              () -> {
                try {
                  return Boolean.TRUE.equals(condition.call());
                } catch (Exception e) {
                  last.set(e);
                  return false;
                }
              });
    } catch (AssertionError e) {
      throw new IllegalStateException(
          "timed out after "
              + timeout.toSeconds()
              + " s waiting for "
              + what
              + (last.get() == null ? "" : ": " + last.get()));
    }
  }

  /** Waits until {@code child} printed a line containing {@code text}; fails early if it exits. */
  static void forLog(Child child, String text, Duration timeout) {
    until(
        child.name + " to print '" + text + "'",
        timeout,
        () -> {
          child.requireAlive();
          return java.nio.file.Files.readString(child.log).contains(text);
        });
  }
}
