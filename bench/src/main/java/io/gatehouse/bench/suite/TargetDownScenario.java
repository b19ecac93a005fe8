package io.gatehouse.bench.suite;

import io.gatehouse.bench.Stats;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario {@code health} (propagation): how long a target that goes down stays in rotation. Two
 * proxies, two agents ({@code gatehouse agent -c}) with a tunnel to each, both serving {@code
 * db/tgt} (a TCP listener of their own) and {@code app/web} (a path of their own on one HTTP
 * server), checked every {@code interval}. Each cycle takes the upstream of one agent down — its
 * TCP listener stopped, or its health path answering 500, alternately — and polls each proxy's
 * {@code GET /v1/resources/{kind}/{name}} (the target health the proxy routes by: what the agent's
 * tunnel to it last said) until it names that agent's target unhealthy; then sends new HTTP
 * sessions through each proxy and counts those that still reach the down agent; then brings the
 * upstream back and waits until both proxies show it healthy. The goal: out of rotation on every
 * proxy within interval + 1 s, at p99.
 */
final class TargetDownScenario {
  private static final String DOWN_AGENT = "td-1";
  private static final String STEADY_AGENT = "td-2";
  private static final int PROBE_SESSIONS = 4;

  private final Launcher launcher;
  private final Path work;
  private final List<Run> runs;

  /** {@code cycles} down/up cycles with checks every {@code interval}. */
  record Run(Duration interval, int cycles) {}

  private record Cycle(String kind, double everyMillis, double firstMillis, double upMillis) {}

  TargetDownScenario(Launcher launcher, Path work, List<Run> runs) {
    this.launcher = launcher;
    this.work = work;
    this.runs = runs;
  }

  Table run() throws Exception {
    Table t =
        new Table(
            "target-down",
            "Target down: from the upstream failing to out of rotation on both proxies",
            "interval s",
            "upstream down by",
            "cycles",
            "every proxy p50 ms",
            "every proxy p99 ms",
            "every proxy max ms",
            "goal ms",
            "p99 vs goal",
            "first proxy p50 ms",
            "new sessions to the down agent",
            "back in rotation p50 ms");
    List<String> polls = new ArrayList<>();
    for (Run run : runs) {
      Subject s = new Subject(run.interval());
      try (s) {
        List<Cycle> cycles = new ArrayList<>();
        for (int i = 0; i < run.cycles(); i++) {
          cycles.add(s.cycle(i % 2 == 0 ? "db" : "app"));
          // Pacing (load shaping): the next failure at a random point of the check interval.
          HealthCostScenario.park(
              Duration.ofMillis(ThreadLocalRandom.current().nextLong(run.interval().toMillis())));
        }
        double goal = run.interval().toMillis() + 1000.0;
        for (String kind : List.of("db", "app")) {
          List<Cycle> of = cycles.stream().filter(c -> c.kind().equals(kind)).toList();
          long[] every = of.stream().mapToLong(c -> Math.round(c.everyMillis())).toArray();
          long[] first = of.stream().mapToLong(c -> Math.round(c.firstMillis())).toArray();
          long[] up = of.stream().mapToLong(c -> Math.round(c.upMillis())).toArray();
          double p99 = Stats.percentile(every, 0.99);
          t.row(
              (double) run.interval().toSeconds(),
              kind.equals("db") ? "TCP listener stopped (db)" : "health path answers 500 (app)",
              (double) of.size(),
              (double) Stats.percentile(every, 0.5),
              p99,
              (double) Stats.percentile(every, 1.0),
              goal,
              Table.ratio(p99, goal),
              (double) Stats.percentile(first, 0.5),
              kind.equals("app") ? (double) s.misrouted : null,
              (double) Stats.percentile(up, 0.5));
        }
        polls.add(
            String.format(
                Locale.ROOT,
                "%d s: %.1f ms per API poll, median; a listener's close took %.0f ms, median, before"
                    + " the clock starts",
                run.interval().toSeconds(),
                Stats.median(s.pollMillis),
                Stats.median(s.stopMillis)));
      }
    }
    t.note(
        "2 proxies, 2 agents each with a tunnel to both, db/tgt and app/web on each; one agent's upstream"
            + " taken down per cycle (db and app alternately), the other's stays up; healthy after 2,"
            + " unhealthy after 1 check (defaults), timeout min(2 s, interval)");
    t.note(
        "every proxy = until the last of the two proxies routes around it, polling each proxy's"
            + " GET /v1/resources/{kind}/{name} in its own thread ("
            + String.join("; ", polls)
            + "); new sessions: "
            + PROBE_SESSIONS
            + " cookieless requests to app/web per proxy after each app cycle, by Via");
    return t;
  }

  /** The cluster, upstreams and agents of one run; closed after it. */
  private final class Subject implements AutoCloseable {
    private final Duration interval;
    private final CheckedUpstreams upstreams = new CheckedUpstreams();
    private final ProxyCluster cluster;
    private final CheckedUpstreams.Tcp downTcp;
    private final ExecutorService pollers = Executors.newCachedThreadPool();
    private final List<Double> pollMillis =
        java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Double> stopMillis =
        java.util.Collections.synchronizedList(new ArrayList<>());
    private long misrouted;

    Subject(Duration interval) throws Exception {
      this.interval = interval;
      cluster = new ProxyCluster(work.resolve("target-down-" + interval.toSeconds()), launcher, 2);
      downTcp = upstreams.tcp();
      CheckedUpstreams.Tcp steadyTcp = upstreams.tcp();
      for (String id : List.of(DOWN_AGENT, STEADY_AGENT)) {
        CheckedUpstreams.Tcp db = id.equals(DOWN_AGENT) ? downTcp : steadyTcp;
        String check =
            "  health_check: { interval: "
                + interval.toMillis()
                + "ms, timeout: "
                + Math.min(2000, interval.toMillis())
                + "ms }\n";
        cluster.startAgent(
            id,
            List.of(),
            "app_service:\n  enabled: true\n"
                + check
                + "  apps: [ { name: web, uri: \"http://127.0.0.1:"
                + upstreams.httpPort()
                + "/"
                + id
                + "\" } ]\n"
                + "db_service:\n  enabled: true\n"
                + check
                + "  databases: [ { name: tgt, uri: \"127.0.0.1:"
                + db.port
                + "\" } ]\n");
      }
      cluster.awaitTunnels(List.of(DOWN_AGENT, STEADY_AGENT), Duration.ofSeconds(60));
      for (String kind : List.of("db", "app")) {
        for (int p = 0; p < cluster.proxyCount(); p++) {
          int proxy = p;
          Waits.until(
              "both targets of " + kind + " healthy on " + cluster.proxies.get(p).name,
              Duration.ofSeconds(60),
              () ->
                  "healthy".equals(state(proxy, kind, DOWN_AGENT))
                      && "healthy".equals(state(proxy, kind, STEADY_AGENT)));
        }
      }
    }

    Cycle cycle(String kind) throws Exception {
      long stopping = System.nanoTime();
      if (kind.equals("db")) {
        downTcp.down();
      } else {
        upstreams.answer("/" + DOWN_AGENT, 500);
      }
      // From when the upstream is down: a listener's close takes a moment to return.
      long downAt = System.nanoTime();
      if (kind.equals("db")) {
        stopMillis.add((downAt - stopping) / 1e6);
      }
      List<Long> out = await(kind, "unhealthy", downAt);
      if (kind.equals("app")) {
        misrouted += newSessionsToDownAgent();
      }
      long upAt = System.nanoTime();
      if (kind.equals("db")) {
        downTcp.up();
      } else {
        upstreams.ok("/" + DOWN_AGENT);
      }
      List<Long> back = await(kind, "healthy", upAt);
      return new Cycle(
          kind,
          (out.stream().mapToLong(Long::longValue).max().orElseThrow() - downAt) / 1e6,
          (out.stream().mapToLong(Long::longValue).min().orElseThrow() - downAt) / 1e6,
          (back.stream().mapToLong(Long::longValue).max().orElseThrow() - upAt) / 1e6);
    }

    /**
     * Polls every proxy at once, each in its own thread, until it shows the down agent's target of
     * {@code kind} in {@code state}; returns when each first did (nanoTime).
     */
    private List<Long> await(String kind, String state, long since) throws Exception {
      Duration deadline = interval.multipliedBy(3).plusSeconds(15);
      List<Future<Long>> seen = new ArrayList<>();
      for (int p = 0; p < cluster.proxyCount(); p++) {
        int proxy = p;
        seen.add(
            pollers.submit(
                () -> {
                  long end = since + deadline.toNanos();
                  while (System.nanoTime() < end) {
                    long before = System.nanoTime();
                    String now = state(proxy, kind, DOWN_AGENT);
                    long after = System.nanoTime();
                    pollMillis.add((after - before) / 1e6);
                    if (state.equals(now)) {
                      // The change happened between the previous poll and this answer: count the
                      // middle of this request, not its end.
                      return before + (after - before) / 2;
                    }
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                  }
                  throw new IllegalStateException(
                      cluster.proxies.get(proxy).name
                          + " did not show "
                          + DOWN_AGENT
                          + "'s target of "
                          + kind
                          + " "
                          + state
                          + " within "
                          + deadline.toSeconds()
                          + " s");
                }));
      }
      List<Long> at = new ArrayList<>();
      for (Future<Long> f : seen) {
        at.add(f.get());
      }
      return at;
    }

    /** What proxy {@code proxy} says of {@code agent}'s target for the resource of {@code kind}. */
    private String state(int proxy, String kind, String agent) throws Exception {
      String path = kind.equals("db") ? "/v1/resources/db/tgt" : "/v1/resources/app/web";
      JsonObject r = new JsonObject(cluster.get(proxy, path).body());
      Optional<JsonObject> a =
          r.getJsonArray("agents").stream()
              .map(JsonObject.class::cast)
              .filter(x -> agent.equals(x.getString("agent")))
              .findFirst();
      return a.map(x -> x.getJsonObject("target", new JsonObject()).getString("state"))
          .orElse("absent");
    }

    /** New sessions (no cookie) to app/web through each proxy that the down agent served. */
    private long newSessionsToDownAgent() throws Exception {
      long n = 0;
      for (int p = 0; p < cluster.proxyCount(); p++) {
        for (int i = 0; i < PROBE_SESSIONS; i++) {
          RawHttp.Response r =
              RawHttp.get(
                  cluster.port(p),
                  cluster.tls(),
                  "web.localhost",
                  "/",
                  null,
                  List.of("Gatehouse-Authorization: Bearer " + cluster.credential()));
          String via = r.header("Via").orElse("");
          if (via.contains(DOWN_AGENT) || r.status() != 200) {
            n++;
          }
        }
      }
      return n;
    }

    @Override
    public void close() {
      pollers.shutdownNow();
      cluster.close();
      upstreams.close();
    }
  }
}
