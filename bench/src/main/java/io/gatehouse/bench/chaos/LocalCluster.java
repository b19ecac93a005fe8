package io.gatehouse.bench.chaos;

import io.gatehouse.bench.suite.RawHttp;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.config.ProxyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/**
 * The cluster of {@code infra/local-cluster}, driven from Java: {@code up}, {@code down}, {@code
 * start NAME}, signals to one process by the PID in its file, and what a client needs (ports, the
 * admin credential, the cluster CA, the Kafka super user's settings, the cluster secret to compute
 * session keys).
 */
final class LocalCluster implements AutoCloseable {
  private final Path script;
  private final Path state;
  private final Path jar;
  private final int base;
  private final Path log;
  private SSLContext tls;
  private String token;
  private HttpClient api;
  private final HttpClient plain =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  LocalCluster(Path repo, Path state, Path jar, int base) {
    this.script = repo.resolve("infra").resolve("local-cluster");
    this.state = state;
    this.jar = jar;
    this.base = base;
    this.log = state.resolveSibling(state.getFileName() + "-script.log");
  }

  void up() throws IOException, InterruptedException {
    run("up");
    tls = TlsContexts.trusting(ClusterCa.readCertificate(state.resolve("ca")));
    token = profileToken();
    api = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Starts one stopped process again, as {@code up} did. */
  void start(String name) throws IOException, InterruptedException {
    run("start", name);
  }

  /** {@code down}: every process of the cluster stopped by its PID. */
  @Override
  public void close() throws IOException {
    try {
      run("down");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the local cluster", e);
    }
  }

  /** What the script printed, next to the state directory. */
  Path scriptLog() {
    return log;
  }

  int balancerPort() {
    return base + 30;
  }

  int proxyPort(int n) {
    return base + 20 + n;
  }

  SSLContext tls() {
    return tls;
  }

  String token() {
    return token;
  }

  /** The Kafka super user's client settings, from the operator's {@code admin.yaml}. */
  KafkaSettings kafkaAdmin() {
    return ProxyConfig.load(state.resolve("admin.yaml"))
        .kafkaSettings()
        .withClientId("chaos-check");
  }

  ClusterSecret secret() {
    return ClusterSecret.read(state.resolve("ca"));
  }

  long pid(String name) throws IOException {
    return Long.parseLong(Files.readString(state.resolve("run").resolve(name + ".pid")).strip());
  }

  /** {@code kill -SIGNAL} to the process {@code name}; for KILL, waits until it is gone. */
  void signal(String name, String signal) throws IOException, InterruptedException {
    long pid = pid(name);
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + pid + " (" + name + ") failed");
    }
    if (signal.equals("KILL")) {
      await("pid " + pid + " to die", Duration.ofSeconds(10), () -> !running(pid));
    }
  }

  /**
   * A graceful stop: {@code kill -TERM} to the process {@code name}, then waits until it has exited
   * (an agent drains first, for up to its {@code drain_timeout}).
   */
  void stop(String name, Duration within) throws IOException, InterruptedException {
    long pid = pid(name);
    signal(name, "TERM");
    await("pid " + pid + " (" + name + ") to exit after SIGTERM", within, () -> !running(pid));
  }

  /** The process's {@code data_dir} (a proxy's RocksDB is its {@code state} directory). */
  Path dataDir(String name) {
    return state.resolve("data").resolve(name);
  }

  /**
   * Whether HAProxy has the server {@code proxy-N} in rotation ({@code UP} in its statistics), so
   * that stopping another proxy leaves it somewhere to send users.
   */
  boolean balancerHas(String server) {
    try {
      HttpResponse<String> r =
          plain.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + (base + 31) + "/stats;csv;norefresh"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String[] lines = r.body().split("\n");
      int status = List.of(lines[0].replace("# ", "").split(",")).indexOf("status");
      for (String line : lines) {
        String[] f = line.split(",", -1);
        if (f.length > status && f[0].equals("proxies") && f[1].equals(server)) {
          return f[status].equals("UP");
        }
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Whether any thread of the process is still alive. Not the main thread's state alone: after
   * {@code kill -9} it turns zombie while the JVM's other threads are still exiting, and the
   * process's sockets (a proxy's listening port) close only with the last of them.
   */
  static boolean running(long pid) {
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return tasks.anyMatch(t -> !zombie(t.resolve("stat")));
    } catch (IOException | java.io.UncheckedIOException gone) {
      return false;
    }
  }

  private static boolean zombie(Path stat) {
    try {
      String s = Files.readString(stat);
      return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return true;
    }
  }

  /** {@code GET path} of the API at {@code port} with the admin credential; its status and body. */
  HttpResponse<String> api(int port, String path) throws IOException, InterruptedException {
    return api.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@code GET /chaos} of the demo app at {@code port} (the balancer's or one proxy's), with the
   * admin credential and the session {@code cookie} if not null.
   */
  RawHttp.Response app(int port, String cookie) throws IOException {
    return RawHttp.get(
        port,
        tls,
        ClientLoad.APP_HOST,
        "/chaos",
        cookie,
        List.of("Gatehouse-Authorization: Bearer " + token));
  }

  /** {@code POST /v1/resources} through the balancer: the status. */
  int createResource(String yaml) throws IOException, InterruptedException {
    return post("/v1/resources", "application/yaml", yaml);
  }

  /** {@code POST path} through the balancer with the admin credential: the status. */
  int post(String path, String contentType, String body) throws IOException, InterruptedException {
    return api.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + balancerPort() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  boolean proxyReady(int n) {
    try {
      return api(proxyPort(n), "/readyz").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether {@code agent} has a tunnel to every proxy, as each proxy's {@code /v1/agents} says. */
  boolean agentEverywhere(String agent, int proxies) {
    try {
      for (int n = 1; n <= proxies; n++) {
        String body = api(proxyPort(n), "/v1/agents").body().replace(" ", "").replace("\n", "");
        int at = body.indexOf("\"agent\":\"" + agent + "\"");
        if (at < 0) {
          return false;
        }
        String entry = body.substring(at, body.indexOf('}', at));
        if (!entry.contains("\"connectedHere\":true") || !entry.contains("\"healthy\":true")) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Lines of a process's log, for telling a restarted Kafka node is serving again. */
  long logLines(String name, String containing) throws IOException {
    try (var lines = Files.lines(state.resolve("log").resolve(name + ".log"))) {
      return lines.filter(l -> l.contains(containing)).count();
    }
  }

  static void await(String what, Duration within, BooleanSupplier done) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "gave up after " + within.toSeconds() + " s waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private String profileToken() throws IOException {
    for (String line : Files.readAllLines(state.resolve("admin.profile"))) {
      if (line.startsWith("token:")) {
        return line.substring(6).strip().replace("\"", "");
      }
    }
    throw new IOException("no token in " + state.resolve("admin.profile"));
  }

  private void run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("GATEHOUSE_CLUSTER_DIR", state.toString());
    builder.environment().put("GATEHOUSE_CLUSTER_PORT_BASE", Integer.toString(base));
    builder.environment().put("GATEHOUSE_JAR", jar.toString());
    Process p = builder.start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(
          "local-cluster " + String.join(" ", args) + " ran over 240 s; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "local-cluster "
              + String.join(" ", args)
              + " failed (exit "
              + p.exitValue()
              + "); see "
              + log);
    }
  }
}
