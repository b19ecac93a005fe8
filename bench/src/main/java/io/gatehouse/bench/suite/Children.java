package io.gatehouse.bench.suite;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Every process the suite started, stopped in reverse order at the end, on failure and on Ctrl-C (a
 * JVM shutdown hook), so a benchmark run leaves nothing running behind it.
 */
final class Children {
  private static final Deque<Child> STARTED = new ArrayDeque<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Children::stopAll, "bench-cleanup"));
  }

  private Children() {}

  static synchronized void register(Child child) {
    STARTED.push(child);
  }

  /** Stops every process still running, newest first. */
  static synchronized void stopAll() {
    while (!STARTED.isEmpty()) {
      STARTED.pop().close();
    }
  }
}
