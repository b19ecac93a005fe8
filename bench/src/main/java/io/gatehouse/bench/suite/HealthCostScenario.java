package io.gatehouse.bench.suite;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario {@code health} (cost): what an agent's target health checks cost. Two real agents
 * ({@code gatehouse agent -c}) serve the same {@code resources} upstreams — 40 % databases and 20 %
 * TCP apps on 8 TCP listeners, 40 % HTTP apps on one HTTP server, each app on its own path —
 * through one proxy and broker, at once, so that the machine's noise falls on both alike: one with
 * the default checks (every 5 s, 2 s timeout), one with {@code health_check: { enabled: false }} on
 * its services. After both are routable, every target healthy and a warm-up, both agents' CPU (user
 * + system, from {@code /proc}) is read over the same window; the difference is the checks' cost,
 * against the goal of 5 % of one core for 1,000 resources. The upstreams count the connections the
 * checks open, the checking agent's {@code gatehouse.agent.health.checks} how many it made.
 */
final class HealthCostScenario {
  private static final double GOAL_PERCENT = 5;
  private static final int TCP_LISTENERS = 8;
  private static final Pattern CHECKS =
      Pattern.compile(
          "^gatehouse_agent_health_checks_total\\{[^}]*outcome=\"(success|failure)\"[^}]*\\} (\\S+)",
          Pattern.MULTILINE);

  private final Launcher launcher;
  private final Path work;
  private final int resources;
  private final Duration warmup;
  private final Duration window;

  HealthCostScenario(
      Launcher launcher, Path work, int resources, Duration warmup, Duration window) {
    this.launcher = launcher;
    this.work = work;
    this.resources = resources;
    this.warmup = warmup;
    this.window = window;
  }

  Table run() throws Exception {
    try (CheckedUpstreams upstreams = new CheckedUpstreams();
        ProxyCluster cluster = new ProxyCluster(work, launcher, 1)) {
      List<CheckedUpstreams.Tcp> tcp = new ArrayList<>();
      for (int i = 0; i < TCP_LISTENERS; i++) {
        tcp.add(upstreams.tcp());
      }
      int metricsPort = Ports.free();
      Child on =
          cluster.startAgent(
              "hc-on",
              List.of("  metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }"),
              services(tcp, upstreams.httpPort(), ""));
      Child off =
          cluster.startAgent(
              "hc-off",
              List.of(),
              services(tcp, upstreams.httpPort(), "  health_check: { enabled: false }\n"));
      try {
        awaitServed(cluster, on, off);
        park(warmup);
        HttpClient http = HttpClient.newHttpClient();
        double[] checks0 = checks(http, metricsPort);
        long tcp0 = upstreams.tcpConnections();
        long http0 = upstreams.httpConnections();
        double onCpu0 = on.cpuSeconds();
        double offCpu0 = off.cpuSeconds();
        double onJit0 = on.cpuSeconds(HealthCostScenario::jit);
        double offJit0 = off.cpuSeconds(HealthCostScenario::jit);
        long t0 = System.nanoTime();
        park(window);
        double onCpu1 = on.cpuSeconds();
        double offCpu1 = off.cpuSeconds();
        double onJit1 = on.cpuSeconds(HealthCostScenario::jit);
        double offJit1 = off.cpuSeconds(HealthCostScenario::jit);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long tcp1 = upstreams.tcpConnections();
        long http1 = upstreams.httpConnections();
        double[] checks1 = checks(http, metricsPort);
        on.requireAlive();
        off.requireAlive();

        double onPercent = 100 * (onCpu1 - onCpu0) / seconds;
        double offPercent = 100 * (offCpu1 - offCpu0) / seconds;
        double cost = onPercent - offPercent;
        double onJit = 100 * (onJit1 - onJit0) / seconds;
        double offJit = 100 * (offJit1 - offJit0) / seconds;
        double checksPerSecond = (checks1[0] + checks1[1] - checks0[0] - checks0[1]) / seconds;
        double failed = checks1[1] - checks0[1];
        double tcpRate = (tcp1 - tcp0) / seconds;
        double httpRate = (http1 - http0) / seconds;
        Table t =
            new Table(
                "health-cost",
                "Health checks of " + resources + " resources on one agent: CPU, checks on vs off",
                "agent",
                "CPU % of a core",
                "of which JIT %",
                "vs 5 % goal",
                "without JIT vs goal",
                "checks/s",
                "failed checks",
                "upstream TCP conn/s",
                "upstream HTTP conn/s");
        t.row(
            "checks on (defaults)",
            onPercent,
            onJit,
            null,
            null,
            checksPerSecond,
            failed,
            tcpRate,
            httpRate);
        t.row("checks off (enabled: false)", offPercent, offJit, null, null, 0.0, 0.0, null, null);
        t.row(
            "cost of the checks (on − off)",
            cost,
            onJit - offJit,
            Table.ratio(cost, GOAL_PERCENT),
            Table.ratio(cost - (onJit - offJit), GOAL_PERCENT),
            checksPerSecond,
            failed,
            tcpRate,
            httpRate);
        t.note(
            String.format(
                Locale.ROOT,
                "%d resources per agent (%d db + %d TCP apps on %d TCP listeners, %d HTTP apps on one"
                    + " HTTP server), both agents on one proxy at once; %.0f s warm-up after every"
                    + " target was healthy, then both agents' CPU over the same %.0f s window",
                resources,
                dbCount(),
                tcpAppCount(),
                TCP_LISTENERS,
                httpAppCount(),
                (double) warmup.toSeconds(),
                seconds));
        t.note(
            String.format(
                Locale.ROOT,
                "%.1f µs of agent CPU per check; JIT = the compiler threads (C1, C2), still compiling"
                    + " the check path after the warm-up when the machine is loaded; goal: under %.0f %% of one core for 1,000 resources"
                    + " (interval 5 s, timeout 2 s)",
                checksPerSecond > 0 ? cost / 100 * 1e6 / checksPerSecond : Double.NaN,
                GOAL_PERCENT));
        return t;
      } finally {
        on.close();
        off.close();
      }
    }
  }

  private int dbCount() {
    return resources * 2 / 5;
  }

  private int tcpAppCount() {
    return resources / 5;
  }

  private int httpAppCount() {
    return resources - dbCount() - tcpAppCount();
  }

  /** Both agents' {@code app_service} and {@code db_service}, each with {@code checkBlock}. */
  private String services(List<CheckedUpstreams.Tcp> tcp, int httpPort, String checkBlock) {
    StringBuilder apps = new StringBuilder("app_service:\n  enabled: true\n" + checkBlock);
    apps.append("  apps:\n");
    for (int i = 0; i < tcpAppCount(); i++) {
      apps.append("    - { name: t")
          .append(i)
          .append(", uri: \"tcp://127.0.0.1:")
          .append(tcp.get(i % tcp.size()).port)
          .append("\" }\n");
    }
    for (int i = 0; i < httpAppCount(); i++) {
      apps.append("    - { name: h")
          .append(i)
          .append(", uri: \"http://127.0.0.1:")
          .append(httpPort)
          .append("/r/")
          .append(i)
          .append("\" }\n");
    }
    StringBuilder dbs = new StringBuilder("db_service:\n  enabled: true\n" + checkBlock);
    dbs.append("  databases:\n");
    for (int i = 0; i < dbCount(); i++) {
      dbs.append("    - { name: d")
          .append(i)
          .append(", uri: \"127.0.0.1:")
          .append(tcp.get(i % tcp.size()).port)
          .append("\", protocol: postgres }\n");
    }
    return apps.toString() + dbs;
  }

  /**
   * Waits until the proxy routes every resource to both agents and the checking agent's target of
   * each is healthy (the checked agent reports it after its second check, up to 2 intervals).
   */
  private void awaitServed(ProxyCluster cluster, Child on, Child off) {
    Waits.until(
        "both agents serving " + resources + " resources, every target of hc-on healthy",
        Duration.ofSeconds(120),
        () -> {
          on.requireAlive();
          off.requireAlive();
          JsonArray all = new JsonArray(cluster.get(0, "/v1/resources").body());
          long ready =
              all.stream()
                  .map(JsonObject.class::cast)
                  .filter(r -> r.getInteger("healthyAgents", 0) == 2)
                  .filter(r -> r.getJsonObject("targets").getInteger("healthy", 0) == 1)
                  .count();
          return ready == resources;
        });
  }

  /** The checking agent's {@code gatehouse.agent.health.checks}: successes, failures. */
  private static double[] checks(HttpClient http, int port)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    double[] out = new double[2];
    Matcher m = CHECKS.matcher(r.body());
    while (m.find()) {
      out[m.group(1).equals("success") ? 0 : 1] += Double.parseDouble(m.group(2));
    }
    return out;
  }

  /** The JIT compiler's threads, by their names in {@code /proc}. */
  private static boolean jit(String thread) {
    return thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler");
  }

  /** A fixed measuring window or warm-up (load shaping, not a wait for a condition). */
  static void park(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
