package io.gatehouse.bench.suite;

import io.gatehouse.lifecycle.Closer;

/**
 * Every process the suite started, stopped in reverse order at the end, on failure and on Ctrl-C (a
 * JVM shutdown hook), so a benchmark run leaves nothing running behind it. A process started after
 * {@link #stopAll} is stopped at once.
 */
final class Children {
  private static final Closer STARTED = new Closer();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Children::stopAll, "bench-cleanup"));
  }

  private Children() {}

  static void register(Child child) {
    STARTED.register(child);
  }

  /**
   * Stops every process still running, newest first. Synchronized so that a second caller (the
   * suite's own shutdown hook, which then deletes the work directory) returns only once all are
   * stopped.
   */
  static synchronized void stopAll() {
    STARTED.closeAll(); // Child.close() does not throw
  }
}
