package io.gatehouse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the drivers do with a child JVM they started (a proxy, a fleet of simulated agents): read
 * its stdout, keeping its event lines ({@code {"event":…}}) and passing its log to the driver's
 * stderr; and stop it, by its PID, forcibly if it does not stop within 10 s.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** Reads {@code process}'s stdout on a daemon thread named {@code name} until it closes. */
  static void follow(Process process, String name, BlockingQueue<String> events) {
    Thread reader = new Thread(() -> read(process, events), name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Stops {@code process}: SIGTERM, then SIGKILL after 10 s. */
  static void destroy(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void read(Process process, BlockingQueue<String> events) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("{\"event\":")) {
          events.add(line);
        } else {
          System.err.println(line); // the child's log: into the driver's
        }
      }
    } catch (IOException e) {
      // the child's stdout closed: its owner notices that the process has gone
    }
  }
}
