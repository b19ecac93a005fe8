package io.gatehouse.bench;

import io.gatehouse.config.HostPort;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The simulated agents ({@link TunnelFleet}) in a child JVM, so that their sockets, engines and
 * threads are neither the proxy's nor this driver's. {@link #open} adds agents and returns once
 * each has its tunnel; {@link #close} asks the child to stop and destroys it (by its process id) if
 * it has not exited within 30 s, as does a shutdown hook when the driver exits first. The child
 * also exits when its stdin closes, so a killed driver leaves no fleet behind.
 */
final class TunnelFleetProcess implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reaper;

  private TunnelFleetProcess(Process process) {
    this.process = process;
    this.reaper = new Thread(this::destroy, "tunnel-fleet-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    ChildJvm.follow(process, "tunnel-fleet-" + process.pid() + "-stdout", lines);
  }

  /**
   * Starts the fleet JVM with heap limit {@code xmx}, its agents numbered from {@code first} to
   * dial every one of {@code proxies} with certificates from the CA in {@code caDir}, each writing
   * {@code serve} serve lines.
   */
  static TunnelFleetProcess start(
      List<HostPort> proxies, Path caDir, int serve, int first, String xmx) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + xmx,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "tunnel-fleet-child",
                String.join(",", proxies.stream().map(HostPort::toString).toList()),
                caDir.toString(),
                "--serve",
                Integer.toString(serve),
                "--first",
                Integer.toString(first)));
    return new TunnelFleetProcess(
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  /**
   * Adds {@code count} agents and waits until each has dialed its tunnel (or given up after its
   * retries): the child's {@code opened} report.
   *
   * @throws IllegalStateException when the child exits or does not report within {@code timeout}
   */
  JsonObject open(int count, Duration timeout) throws IOException, InterruptedException {
    send("open " + count);
    return await("opened", timeout);
  }

  /**
   * The agents made so far, their tunnels up now (in all and by proxy), how many agents name each
   * proxy their writer, and the tunnels redialed after they closed.
   */
  JsonObject status() throws IOException, InterruptedException {
    send("status");
    return await("status", Duration.ofSeconds(30));
  }

  /** Agent {@code agent} (its number) serves app {@code name} from now on. */
  JsonObject serve(int agent, String name) throws IOException, InterruptedException {
    send("serve " + agent + " " + name);
    return await("served", Duration.ofSeconds(30));
  }

  /** Starts a new log of redials; returns once the child has. */
  void mark() throws IOException, InterruptedException {
    send("mark");
    await("marked", Duration.ofSeconds(30));
  }

  /** When, in milliseconds after the {@link #mark}, redials brought tunnels up or failed. */
  JsonObject reconnects() throws IOException, InterruptedException {
    send("reconnects");
    return await("reconnects", Duration.ofSeconds(60));
  }

  long pid() {
    return process.pid();
  }

  private void send(String command) throws IOException {
    OutputStream stdin = process.getOutputStream();
    stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  private JsonObject await(String event, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(50, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("{\"event\":\"" + event + "\"")) {
        return new JsonObject(line);
      }
      if (line == null && !process.isAlive()) {
        throw new IllegalStateException(
            "tunnel fleet " + process.pid() + " exited with " + process.exitValue());
      }
    }
    throw new IllegalStateException(
        "tunnel fleet " + process.pid() + " did not report '" + event + "' within " + timeout);
  }

  /** Resident set size of the fleet JVM, bytes. */
  long rssBytes() throws IOException {
    return ProcStat.field(process.pid(), "VmRSS");
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // already going: destroyed below if it lingers
      }
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        destroy();
      }
    } catch (InterruptedException e) {
      destroy();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway, and finds the process gone
    }
  }

  private void destroy() {
    ChildJvm.destroy(process);
  }
}
