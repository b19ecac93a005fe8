package io.gatehouse.lifecycle;

import java.util.concurrent.ThreadFactory;

/**
 * The one way a component names the background thread it owns: a daemon (it never keeps a JVM alive
 * after its owner forgot to close it) with a name that says whose it is in a thread dump.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads all called {@code name} (for single-thread executors). */
  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread t = new Thread(runnable, name);
      t.setDaemon(true);
      return t;
    };
  }
}
