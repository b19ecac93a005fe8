package io.gatehouse.bench;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.config.HostPort;
import io.gatehouse.lifecycle.FileTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12, "proxy memory per connected agent": {@code tunnels <agents> [--serve R] [--steps K]
 * [--idle SECONDS] [--proxy-xmx SIZE] [--fleet-xmx SIZE]}.
 *
 * <p>A real proxy in its own JVM ({@link ProxyProcess}, against an embedded broker in this one) and
 * {@code agents} simulated agents in another ({@link TunnelFleetProcess}), each with its own
 * certificate from the run's CA and one real tunnel to the proxy. The fleet connects in {@code K}
 * equal steps (default 2: half, then all). At no agents and after each step, once the proxy's
 * {@code gatehouse_agents_alive} gauge shows them all, it measures the proxy: CPU over an idle
 * window of {@code SECONDS} (tunnels up, each agent pinging every second, no sessions), then heap
 * after full GCs, NIO direct buffers, Netty's own direct count, threads, and RSS. It reports each
 * level, the cost per agent (the slope from no agents to all, and of each step, to show it is
 * linear), the connect rate and the proxy's CPU per tunnel opened, the classes that grew most per
 * agent ({@code jcmd GC.class_histogram} at no agents and at all), and the extrapolation to 100,000
 * agents.
 *
 * <p>Prints one JSON object per line on stdout, the last one the summary; logs go to stderr.
 */
final class TunnelMemoryBench {
  private static final int HISTOGRAM_TOP = 15;
  private static final Duration SETTLE = Duration.ofSeconds(10);
  private static final int EXTRAPOLATE_TO = 100_000;

  private TunnelMemoryBench() {}

  /** The command line. */
  record Options(
      int agents, int serve, int steps, int idleSeconds, String proxyXmx, String fleetXmx) {
    static Options parse(String[] args) {
      if (args.length == 0) {
        throw new IllegalArgumentException(
            "usage: tunnels <agents> [--serve R] [--steps K] [--idle SECONDS] [--proxy-xmx SIZE]"
                + " [--fleet-xmx SIZE]");
      }
      int agents = Integer.parseInt(args[0]);
      int serve = 0;
      int steps = 2;
      int idle = 30;
      String proxyXmx = "1g";
      String fleetXmx = "2g";
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--serve" -> serve = Integer.parseInt(args[++i]);
          case "--steps" -> steps = Integer.parseInt(args[++i]);
          case "--idle" -> idle = Integer.parseInt(args[++i]);
          case "--proxy-xmx" -> proxyXmx = args[++i];
          case "--fleet-xmx" -> fleetXmx = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (agents < 1 || serve < 0 || steps < 1 || steps > agents || idle < 1) {
        throw new IllegalArgumentException(
            "agents, steps and idle must be positive (steps at most agents), serve not negative");
      }
      return new Options(agents, serve, steps, idle, proxyXmx, fleetXmx);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
      // Each agent holds one socket in the proxy and one in the fleet.
      ProcStat.requireOpenFiles(options.agents(), "each of the proxy and the fleet");
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("gatehouse-tunnels-");
    Thread cleanup =
        new Thread(
            () -> {
              ProxyProcess.destroyAll();
              deleteQuietly(work);
            },
            "tunnel-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try (EmbeddedKafka kafka =
        EmbeddedKafka.builder().dataDir(work.resolve("kafka")).build().start()) {
      BenchKafka.ensureTopics(kafka.bootstrapServers());
      Path caDir = CaDir.ensure(work.resolve("ca"));
      Path config = writeConfig(work, kafka.bootstrapServers(), caDir);
      try (ProxyProcess proxy =
          ProxyProcess.start(config, options.proxyXmx(), Duration.ofMinutes(2))) {
        run(options, proxy, caDir);
      }
    } finally {
      ProxyProcess.destroyAll();
      FileTree.delete(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private static void run(Options options, ProxyProcess proxy, Path caDir) throws Exception {
    // Let start-up work (JIT, consumers catching up) finish before the baseline.
    pause(SETTLE);
    List<JsonObject> levels = new ArrayList<>();
    levels.add(level(proxy, 0, options));
    ClassHistogram before = ClassHistogram.of(proxy.pid());
    JsonArray connects = new JsonArray();
    HostPort address = HostPort.parse(proxy.baseUrl().substring("https://".length()));
    try (TunnelFleetProcess fleet =
        TunnelFleetProcess.start(List.of(address), caDir, options.serve(), 0, options.fleetXmx())) {
      int connected = 0;
      for (int step = 1; step <= options.steps(); step++) {
        int target = (int) ((long) options.agents() * step / options.steps());
        int count = target - connected;
        double cpuBefore = ProcStat.cpuSeconds(proxy.pid());
        JsonObject opened = fleet.open(count, Duration.ofSeconds(60 + count / 5));
        if (opened.getLong("failed") > 0) {
          throw new IllegalStateException(
              opened.getLong("failed") + " simulated agents found no tunnel: " + opened);
        }
        try {
          proxy.awaitAgentsAlive(target, Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
          throw new IllegalStateException(e.getMessage() + "; the fleet: " + fleet.status(), e);
        }
        double cpu = ProcStat.cpuSeconds(proxy.pid()) - cpuBefore;
        double connectSeconds = opened.getDouble("connectMillis") / 1000;
        JsonObject connect =
            new JsonObject()
                .put("tunnels", count)
                .put("seconds", connectSeconds)
                .put("tunnelsPerSec", count / connectSeconds)
                .put("credentialsSeconds", opened.getDouble("credentialsMillis") / 1000)
                .put("proxyCpuMillisPerTunnel", cpu * 1000 / count);
        connects.add(connect);
        print(connect.copy().put("scenario", "tunnels-connect").encode());
        connected = target;
        pause(SETTLE);
        JsonObject level = level(proxy, target, options);
        level.put("fleetRssBytes", fleet.rssBytes());
        levels.add(level);
      }
      ClassHistogram after = ClassHistogram.of(proxy.pid());
      JsonObject status = fleet.status();
      print(
          summary(options, levels, connects, before, after)
              .put("redials", status.getLong("redials"))
              .put("fleetTunnelsAtEnd", status.getLong("tunnels"))
              .encode());
    }
  }

  private static JsonObject summary(
      Options options,
      List<JsonObject> levels,
      JsonArray connects,
      ClassHistogram before,
      ClassHistogram after) {
    JsonObject zero = levels.get(0);
    JsonObject all = levels.get(levels.size() - 1);
    int n = options.agents();
    JsonObject perAgent = ProxyLevel.perAgent(zero, all);
    JsonArray steps = new JsonArray();
    for (int i = 1; i < levels.size(); i++) {
      steps.add(ProxyLevel.perAgent(levels.get(i - 1), levels.get(i)));
    }
    long liveHeap100k =
        zero.getLong("heapUsedBytes")
            + Math.round(EXTRAPOLATE_TO * perAgent.getDouble("heapUsedBytes"));
    // G1 keeps its pauses short with the live set at about half the heap.
    long xmx100k = roundUp(2 * liveHeap100k / (1024.0 * 1024), 256);
    // The last step is the warmest: its native slope has no JIT or metaspace growth in it.
    double nativeSlope = steps.getJsonObject(steps.size() - 1).getDouble("nativeBytes");
    JsonObject extrapolation =
        new JsonObject()
            .put("agents", EXTRAPOLATE_TO)
            .put("heapUsedBytes", liveHeap100k)
            .put(
                "rssLinearBytes",
                zero.getLong("rssBytes")
                    + Math.round(EXTRAPOLATE_TO * perAgent.getDouble("rssBytes")))
            // With all of -Xmx committed (as it will be under load) and the native part growing
            // at its last measured slope.
            .put(
                "rssBytes",
                xmx100k * 1024 * 1024
                    + all.getLong("nativeBytes")
                    + Math.round((EXTRAPOLATE_TO - n) * Math.max(0, nativeSlope)))
            .put(
                "directBytes",
                zero.getLong("directBytes")
                    + Math.round(EXTRAPOLATE_TO * perAgent.getDouble("directBytes")))
            .put(
                "idleCpuCores",
                zero.getDouble("idleCpuSecondsPerSecond")
                    + EXTRAPOLATE_TO * perAgent.getDouble("idleCpuSecondsPerSecond"))
            .put("proxyXmxMiB", xmx100k);
    JsonArray histogram = new JsonArray();
    for (ClassHistogram.Entry e : after.growthSince(before, HISTOGRAM_TOP)) {
      histogram.add(
          new JsonObject()
              .put("class", e.className())
              .put("bytesPerAgent", (double) e.bytes() / n)
              .put("instancesPerAgent", (double) e.instances() / n));
    }
    double seconds = 0;
    long tunnels = 0;
    double cpuMillis = 0;
    for (Object o : connects) {
      JsonObject c = (JsonObject) o;
      seconds += c.getDouble("seconds");
      tunnels += c.getLong("tunnels");
      cpuMillis += c.getDouble("proxyCpuMillisPerTunnel") * c.getLong("tunnels");
    }
    return new JsonObject()
        .put("scenario", "tunnels")
        .put("agents", n)
        .put("serveLinesPerAgent", options.serve())
        .put("proxyXmx", options.proxyXmx())
        .put("idleSeconds", options.idleSeconds())
        .put("levels", new JsonArray(new ArrayList<>(levels)))
        .put("perAgent", perAgent)
        .put("perAgentBySteps", steps)
        .put(
            "connect",
            new JsonObject()
                .put("tunnels", tunnels)
                .put("seconds", seconds)
                .put("tunnelsPerSec", tunnels / seconds)
                .put("proxyCpuMillisPerTunnel", cpuMillis / tunnels)
                .put("steps", connects))
        .put("histogramLiveBytesPerAgent", (double) (after.totalBytes() - before.totalBytes()) / n)
        .put("histogram", histogram)
        .put("extrapolation", extrapolation);
  }

  private static Path writeConfig(Path dir, String bootstrap, Path caDir) throws IOException {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        """
        proxy:
          id: tunnels-proxy
          kafka: { bootstrap: "%s" }
          data_dir: "%s"
          ca: { dir: "%s" }
          listen: "127.0.0.1:0"
        """
            .formatted(bootstrap, dir.resolve("proxy-data"), caDir));
    return config;
  }

  private static long roundUp(double value, long step) {
    return (long) Math.ceil(value / step) * step;
  }

  private static void pause(Duration d) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(d.toMillis());
  }

  /** The proxy with {@code agents} connected ({@link ProxyLevel}), printed. */
  private static JsonObject level(ProxyProcess proxy, int agents, Options options)
      throws IOException, InterruptedException {
    JsonObject level =
        ProxyLevel.measure(List.of(proxy), agents, Duration.ofSeconds(options.idleSeconds()))
            .get(0);
    print(level.copy().put("scenario", "tunnels-level").encode());
    return level;
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (Exception e) {
      // best effort on the way out
    }
  }

  private static void print(String line) {
    System.out.println(line.replace("NaN", "null"));
    System.out.flush();
  }
}
