package io.gatehouse.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process the suite started (broker, proxy, agent, nginx, HAProxy). Output goes to a log file
 * under the suite's work directory; CPU time is read from {@code /proc} over the whole process
 * tree, so nginx's and HAProxy's workers count too.
 */
final class Child implements AutoCloseable {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  final String name;
  final Path log;
  private final Process process;

  private Child(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code command} with its output in {@code logDir/name.log}; registers it for clean-up.
   */
  static Child start(String name, Path logDir, List<String> command) throws IOException {
    Path log = logDir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Child child = new Child(name, log, p);
    Children.register(child);
    return child;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** User plus system CPU seconds used so far by the process and its live descendants. */
  double cpuSeconds() {
    double total = cpu(process.pid());
    for (ProcessHandle h : process.descendants().toList()) {
      total += cpu(h.pid());
    }
    return total;
  }

  /**
   * User plus system CPU seconds used so far by the process's threads whose name ({@code
   * /proc/<pid>/task/<tid>/comm}, at most 15 characters) {@code name} accepts: e.g. the JIT
   * compiler's, {@code C1 CompilerThre} and {@code C2 CompilerThre}. Threads that ended are not
   * counted.
   */
  double cpuSeconds(java.util.function.Predicate<String> name) {
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    double total = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path t : threads.toList()) {
        try {
          if (name.test(Files.readString(t.resolve("comm")).strip())) {
            total += cpu(t.resolve("stat"));
          }
        } catch (IOException e) {
          // the thread ended while listed
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  /** Resident set size of the process (not its descendants), in MiB; 0 when it is gone. */
  double rssMiB() {
    try (Stream<String> lines =
        Files.lines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      return lines
          .filter(l -> l.startsWith("VmRSS:"))
          .findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0)
          .orElse(0.0);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Throws if the process has exited, with its name and the last lines of its log: what every wait
   * for a child checks first.
   */
  void requireAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited:\n" + tail());
    }
  }

  /**
   * Runs a driver of {@code benchmarks.jar} ({@code command}) to its end, at most {@code timeout},
   * and returns the last line of JSON it printed for {@code scenario} ({@code
   * {"scenario":"<scenario>",…}}), its summary.
   *
   * @throws IOException when it printed none, with the end of its log
   */
  static io.vertx.core.json.JsonObject summary(
      String name, Path logDir, List<String> command, String scenario, Duration timeout)
      throws IOException, InterruptedException {
    Child child = start(name, logDir, command);
    Waits.until("the " + name + " scenario to finish", timeout, () -> !child.isAlive());
    return Files.readAllLines(child.log).stream()
        .filter(l -> l.startsWith("{") && l.contains("\"scenario\":\"" + scenario + "\""))
        .map(io.vertx.core.json.JsonObject::new)
        .reduce((a, b) -> b)
        .orElseThrow(
            () ->
                new IOException("the " + name + " scenario printed no summary:\n" + child.tail()));
  }

  /** The last lines of the log, for error messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL, no chance to clean up: the failover scenario's crash. */
  void kill9() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill9();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  private static double cpu(long pid) {
    return cpu(Path.of("/proc", Long.toString(pid), "stat"));
  }

  private static double cpu(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      // Fields after the command name (which may contain spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND; // utime, stime
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
