package io.gatehouse.bench.suite;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the figures were measured on: cores, CPU, memory, JVM, kernel and the peers' versions. */
final class Machine {
  private Machine() {}

  static JsonObject describe(boolean quick) {
    return new JsonObject()
        .put("date", Instant.now().toString())
        .put("pass", quick ? "quick" : "full")
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("cpu", cpuModel())
        .put("memoryGiB", memoryGiB())
        .put("loadAverage", loadAverage())
        .put(
            "jvm",
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("nginx", version(List.of("nginx", "-v")))
        .put("haproxy", version(List.of("haproxy", "-v")))
        .put("wrk", version(List.of("wrk", "-v")));
  }

  static String summary(JsonObject m) {
    return m.getString("date")
        + " · "
        + m.getString("pass")
        + " pass · "
        + m.getInteger("cores")
        + " cores ("
        + m.getString("cpu")
        + "), "
        + m.getLong("memoryGiB")
        + " GiB · load "
        + m.getString("loadAverage")
        + " · "
        + m.getString("jvm")
        + " · "
        + m.getString("nginx")
        + " · "
        + m.getString("haproxy")
        + " · "
        + m.getString("wrk");
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long memoryGiB() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / (1024 * 1024))
          .findFirst()
          .orElse(0L);
    } catch (IOException e) {
      return 0;
    }
  }

  /** {@code /proc/loadavg}'s 1, 5 and 15 minute figures: how busy the shared machine was. */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String version(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("?").replaceAll("\\s+", " ").strip();
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
