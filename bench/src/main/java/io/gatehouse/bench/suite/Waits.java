package io.gatehouse.bench.suite;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Polls a condition until it holds or a deadline passes; never a fixed sleep. */
final class Waits {
  private Waits() {}

  /**
   * Waits until {@code condition} returns true (exceptions count as false); fails naming {@code
   * what}.
   */
  static void until(String what, Duration timeout, Callable<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(condition.call())) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    throw new IllegalStateException(
        "timed out after "
            + timeout.toSeconds()
            + " s waiting for "
            + what
            + (last == null ? "" : ": " + last));
  }

  /** Waits until {@code child} printed a line containing {@code text}; fails early if it exits. */
  static void forLog(Child child, String text, Duration timeout) {
    until(
        child.name + " to print '" + text + "'",
        timeout,
        () -> {
          if (!child.isAlive()) {
            throw new IllegalStateException(child.name + " exited:\n" + child.tail());
          }
          return java.nio.file.Files.readString(child.log).contains(text);
        });
  }
}
