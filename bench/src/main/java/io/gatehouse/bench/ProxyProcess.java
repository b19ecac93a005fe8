package io.gatehouse.bench;

import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.config.ProxyConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * A real proxy ({@link ProxyChild}) in a child JVM started from this driver's class path, so that
 * its heap, RSS and start-up are its own and not the embedded broker's. {@link #start} returns once
 * {@code GET /readyz} answers 200, having timed that from the moment the JVM was spawned ({@link
 * #jvmStartToReadyMillis}); the child times {@code Proxy.start} → ready itself ({@link
 * #proxyStartToReadyMillis}). {@link #close} asks the child to stop (it closes the proxy) and
 * destroys it if it has not exited within 30 s; a shutdown hook destroys any child still running
 * when the driver exits. The proxy's web port is on 127.0.0.1.
 */
final class ProxyProcess implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProxyProcess::destroyAll, "proxy-process-reaper"));
  }

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final HttpClient http;
  private JsonObject started;
  private JsonObject ready;
  private String token;
  private double jvmStartToReadyMillis;

  private ProxyProcess(Process process, SSLContext tls) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(tls)
            .build();
    this.process = process;
    ChildJvm.follow(process, "proxy-" + process.pid() + "-stdout", lines);
  }

  /**
   * Starts a proxy JVM with heap limit {@code xmx} (and the options in {@code
   * GATEHOUSE_BENCH_JAVA_OPTS}) on {@code config} and waits until it is ready.
   *
   * @throws IllegalStateException when it exits or is not ready within {@code timeout}; it is
   *     destroyed then
   */
  static ProxyProcess start(Path config, String xmx, Duration timeout)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx" + xmx));
    // As the suite's Launcher: e.g. a JFR recording of the proxy alone.
    String extra = System.getenv("GATEHOUSE_BENCH_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.strip().split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "proxy-child",
            config.toString()));
    long spawned = System.nanoTime();
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    LIVE.add(process);
    // The proxy's port speaks TLS with a certificate from the CA in its ca.dir.
    SSLContext tls =
        TlsContexts.trusting(ClusterCa.readCertificate(ProxyConfig.load(config).caDir()));
    ProxyProcess proxy = new ProxyProcess(process, tls);
    try {
      long deadline = spawned + timeout.toNanos();
      proxy.started = proxy.await("started", deadline);
      proxy.jvmStartToReadyMillis = (proxy.awaitReadyz(deadline) - spawned) / 1e6;
      proxy.ready = proxy.await("ready", deadline);
      proxy.token = proxy.await("credential", deadline).getString("token");
      return proxy;
    } catch (RuntimeException | InterruptedException e) {
      ChildJvm.destroy(process);
      LIVE.remove(process);
      throw e;
    }
  }

  /**
   * Writes {@code dir/proxy.yaml} for a proxy {@code id} on {@code bootstrap}, with its data and a
   * cluster CA ({@link CaDir}) under {@code dir} and its web port on a free port of 127.0.0.1.
   */
  static Path writeConfig(Path dir, String bootstrap, String id) throws IOException {
    return writeConfig(dir, bootstrap, id, 0);
  }

  /**
   * As {@link #writeConfig(Path, String, String)}, on web port {@code port} (0: a free one); a
   * proxy restarted on a fixed port is where its agents redial it.
   */
  static Path writeConfig(Path dir, String bootstrap, String id, int port) throws IOException {
    return writeConfig(dir, bootstrap, id, port, dir.resolve("ca"));
  }

  /**
   * As above, with the cluster CA in {@code caDir} (made there if missing): proxies of one cluster
   * share it.
   */
  static Path writeConfig(Path dir, String bootstrap, String id, int port, Path caDir)
      throws IOException {
    return writeConfig(dir, bootstrap, id, port, caDir, "");
  }

  /**
   * As above, with {@code settings}, more keys of the {@code proxy} section in flow style (e.g.
   * {@code "limits: { max_connections_per_address: 20000 }"}).
   */
  static Path writeConfig(
      Path dir, String bootstrap, String id, int port, Path caDir, String settings)
      throws IOException {
    Files.createDirectories(dir);
    Path ca = CaDir.ensure(caDir);
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        """
        proxy:
          id: %s
          kafka: { bootstrap: "%s" }
          data_dir: "%s"
          ca: { dir: "%s" }
          listen: "127.0.0.1:%d"
          %s
        """
            .formatted(id, bootstrap, dir.resolve("data"), ca, port, settings));
    return config;
  }

  long pid() {
    return process.pid();
  }

  /** The web address, {@code https://127.0.0.1:<port>}. */
  String baseUrl() {
    return "https://127.0.0.1:" + started.getInteger("port");
  }

  /** From spawning the JVM to the first {@code /readyz} 200 seen by polling every 5 ms. */
  double jvmStartToReadyMillis() {
    return jvmStartToReadyMillis;
  }

  /** From just before {@code Proxy.start} to the proxy reporting ready, timed inside the child. */
  double proxyStartToReadyMillis() {
    return ready.getDouble("proxyStartToReadyMillis");
  }

  /**
   * From the first record the materializer applied to ready: the apply phase alone, without
   * start-up.
   */
  double firstRecordToReadyMillis() {
    return ready.getDouble("firstRecordToReadyMillis");
  }

  /** The records the proxy's materializer applied until it was ready. */
  long appliedRecords() {
    return ready.getLong("appliedRecords");
  }

  /** Heap in use after GC before the proxy was started: the JVM and this driver's own classes. */
  long baselineHeapBytes() {
    return started.getLong("baselineHeapBytes");
  }

  /** Heap in use after two full GCs, now. */
  long heapUsedBytes() throws IOException, InterruptedException {
    OutputStream stdin = process.getOutputStream();
    stdin.write("heap\n".getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    return await("heap", System.nanoTime() + Duration.ofMinutes(1).toNanos())
        .getLong("heapUsedBytes");
  }

  /**
   * The proxy's memory after two full GCs: heap, direct buffers, Netty's direct memory and threads
   * (the child's {@code memory} report).
   */
  JsonObject memory() throws IOException, InterruptedException {
    OutputStream stdin = process.getOutputStream();
    stdin.write("memory\n".getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    return await("memory", System.nanoTime() + Duration.ofMinutes(1).toNanos());
  }

  /**
   * A field of {@code /proc/<pid>/status} in bytes, e.g. {@code VmRSS} (resident) or {@code VmHWM}
   * (peak resident).
   */
  long status(String field) throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip()) * 1024;
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/" + process.pid() + "/status");
  }

  /** {@code GET path} on the proxy's web port. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", authorization())
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@code Bearer <token>} of the child's admin, for the API. */
  String authorization() {
    return "Bearer " + token;
  }

  /** {@code GET /v1/resources/app/<name>}: the app as the proxy's API shows it. */
  HttpResponse<String> app(String name) throws IOException, InterruptedException {
    return get("/v1/resources/app/" + name);
  }

  /**
   * The agents with a current heartbeat an {@link #app} response counts ({@code totalAgents}); 0
   * when the app is not found. A simulated fleet has no tunnels, so none of them is healthy: this
   * is what the proxy knows, not what it can route to.
   */
  static int knownAgents(HttpResponse<String> app) {
    return app.statusCode() == 200 ? new JsonObject(app.body()).getInteger("totalAgents", 0) : 0;
  }

  /** The proxy's {@code gatehouse_agents_alive} gauge: agents with a tunnel to it now. */
  double agentsAlive() throws IOException, InterruptedException {
    return metric("gatehouse_agents_alive");
  }

  /** The proxy's untagged meter {@code name} in {@code /metrics} (Prometheus naming). */
  double metric(String name) throws IOException, InterruptedException {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    throw new IllegalStateException("the proxy's /metrics has no " + name);
  }

  /**
   * Waits until {@link #agentsAlive} shows {@code agents}, polling every 100 ms.
   *
   * @throws IllegalStateException with the count last seen, when it does not within {@code timeout}
   */
  void awaitAgentsAlive(int agents, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double alive = -1;
    while (System.nanoTime() < deadline) {
      alive = agentsAlive();
      if (alive == agents) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100); // a poll interval, not a wait for a condition
    }
    throw new IllegalStateException(
        "proxy "
            + process.pid()
            + " shows "
            + alive
            + " agents alive, not "
            + agents
            + ", after "
            + timeout);
  }

  /**
   * Kills the proxy's JVM at once ({@code SIGKILL}), as a crash would, and waits until it is gone.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    LIVE.remove(process);
  }

  HttpClient http() {
    return http;
  }

  @Override
  public void close() {
    if (!LIVE.contains(process)) {
      return;
    }
    try {
      if (process.isAlive()) {
        try (OutputStream stdin = process.getOutputStream()) {
          stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // the child is already going; destroy below if it lingers
        }
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        ChildJvm.destroy(process);
      }
    } catch (InterruptedException e) {
      ChildJvm.destroy(process);
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
    }
  }

  /** Destroys every child still running; what the shutdown hook does. */
  static void destroyAll() {
    LIVE.forEach(ChildJvm::destroy);
  }

  private JsonObject await(String event, long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      String line = lines.poll(50, TimeUnit.MILLISECONDS);
      if (line == null) {
        if (!process.isAlive() && lines.isEmpty()) {
          throw new IllegalStateException(
              "proxy process "
                  + process.pid()
                  + " exited with "
                  + process.exitValue()
                  + " before '"
                  + event
                  + "'");
        }
        continue;
      }
      if (line.startsWith("{\"event\":\"" + event + "\"")) {
        return new JsonObject(line);
      }
    }
    throw new IllegalStateException(
        "proxy process " + process.pid() + " did not report '" + event + "' in time");
  }

  private long awaitReadyz(long deadline) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime();
        }
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new UncheckedIOException(
              "proxy process " + process.pid() + " exited with " + process.exitValue(), e);
        }
      }
      LockSupport.parkNanos(5_000_000);
    }
    throw new IllegalStateException("proxy process " + process.pid() + " was not ready in time");
  }
}
