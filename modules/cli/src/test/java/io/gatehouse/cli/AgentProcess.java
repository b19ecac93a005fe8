package io.gatehouse.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code gatehouse agent -c FILE} as its own OS process, run from the jar the build packaged (what
 * {@code bin/gatehouse} runs), so that a test can crash it ({@code kill -9}) or freeze it ({@code
 * kill -STOP}) as a host would. Its stdout and stderr go to one log file.
 *
 * <p>Guarantees: {@link #close} always leaves no process behind, even a frozen one (it is continued
 * first, so that the kernel can reap it), and is idempotent.
 */
final class AgentProcess implements AutoCloseable {
  /** The packaged CLI; failsafe runs after {@code package}, so it is there and current. */
  private static final Path JAR = Path.of("target", "gatehouse.jar").toAbsolutePath();

  private final String id;
  private final Path log;
  private final Process process;
  private boolean frozen;

  private AgentProcess(String id, Path log, Process process) {
    this.id = id;
    this.log = log;
    this.process = process;
  }

  /** Starts agent {@code id} from {@code config}, logging to {@code log} (appended). */
  static AgentProcess start(String id, Path config, Path log) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run the test with mvn verify");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Small and quick to start: the machine's two cores also run the broker and the proxies.
    List<String> command =
        List.of(
            java,
            "-Xmx192m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            JAR.toString(),
            "agent",
            "-c",
            config.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new AgentProcess(id, log, process);
  }

  String id() {
    return id;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** {@code kill -9}: the process dies at once and the kernel closes its sockets. */
  void crash() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("agent " + id + " (pid " + pid() + ") survived kill -9");
    }
  }

  /** {@code kill -TERM}: what a service manager sends; the agent drains and then exits. */
  void terminate() {
    process.destroy();
  }

  /** Waits at most {@code timeout} for the process to exit; whether it did. */
  boolean awaitExit(java.time.Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The exit code of a process that exited. */
  int exitValue() {
    return process.exitValue();
  }

  /** {@code kill -STOP}: the process stops running; its sockets stay open and silent. */
  synchronized void freeze() throws IOException, InterruptedException {
    signal("STOP");
    frozen = true;
  }

  /** {@code kill -CONT}: a frozen process runs on. */
  synchronized void thaw() throws IOException, InterruptedException {
    signal("CONT");
    frozen = false;
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + pid() + " (agent " + id + ") failed");
    }
  }

  /** The last {@code lines} lines of the agent's log, for a failure message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (!process.isAlive()) {
      return;
    }
    try {
      if (frozen) {
        thaw();
      }
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      // SIGKILL is on its way whatever happens; keep the interrupt for the caller.
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "agent " + id + " (pid " + process.pid() + ")";
  }
}
