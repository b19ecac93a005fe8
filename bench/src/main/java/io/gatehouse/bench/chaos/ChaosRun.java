package io.gatehouse.bench.chaos;

import io.gatehouse.bench.chaos.ClientLoad.Attempt;
import io.gatehouse.bench.chaos.ClientLoad.Kind;
import io.gatehouse.bench.suite.RawHttp;
import io.gatehouse.lifecycle.FileTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos suite ({@code bench/chaos}): brings up {@code infra/local-cluster} (3 Kafka nodes, 2
 * proxies behind HAProxy, 2 agents), then runs each scenario under steady {@link ClientLoad}: 8 s
 * of load, the fault, the fault held, the repair, 8 s more (the rolling restart and the proxy
 * rebuild hold nothing: the fault is the roll, or the stop and the deletion, the repair the start).
 * Reports per scenario the load held during the fault, the failed attempts (new sessions, pinned
 * sessions, in flight when the fault hit), the time from the fault to the last failure, and what
 * {@link TopicCheck} finds missing on the topics (and, after the rebuild, on the rebuilt proxy).
 */
public final class ChaosRun {
  private static final Duration STEADY = Duration.ofSeconds(8);
  private static final Duration HOLD = Duration.ofSeconds(10);
  private static final Duration WARM_UP = Duration.ofSeconds(20);

  /** Every scenario, in the order a whole run takes them. */
  private static final List<String> SCENARIOS =
      List.of("broker", "proxy", "agent-freeze", "kafka-outage", "rolling", "proxy-rebuild");

  /** Longer than an agent's drain ({@code drain_timeout: 10s} in the local cluster) and goodbye. */
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

  /** A fault: what is done, how it is repaired, and how to tell the repair has taken. */
  private interface Fault {
    void inject(LocalCluster c) throws Exception;

    void heal(LocalCluster c) throws Exception;

    /**
     * When processes were stopped, for a fault that stops several in turn: an attempt open at one
     * of these moments was in flight. Empty (the default): from the start of {@link #inject} until
     * it returned.
     */
    default List<Hit> hits() {
      return List.of();
    }

    /** What the fault measured itself, shown after the recovery; empty by default. */
    default String measured() {
      return "";
    }

    /** What the fault found missing besides the topics (a rebuilt proxy's view); empty if none. */
    default String missing() {
      return "";
    }
  }

  /** From when to when (nanoTime) a process was being stopped. */
  private record Hit(long from, long to) {
    static Hit now() {
      long t = System.nanoTime();
      return new Hit(t, t);
    }

    boolean open(Attempt a) {
      return a.start() < to && a.end() >= from;
    }
  }

  private record Scenario(String name, String description, Duration hold, Fault fault) {}

  private record Row(
      String scenario,
      String load,
      long failedNew,
      long failedPinned,
      long failedInFlight,
      long failedWrites,
      String recovery,
      String lost,
      List<String> errors) {}

  private ChaosRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    Path repo = Path.of(opts.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
    Path jar =
        Path.of(opts.getOrDefault("--gatehouse-jar", "modules/cli/target/gatehouse.jar"))
            .toAbsolutePath();
    int base = Integer.parseInt(opts.getOrDefault("--port-base", "19300"));
    List<String> only =
        List.of(opts.getOrDefault("--only", String.join(",", SCENARIOS)).split(","));
    Path out = Path.of(opts.getOrDefault("--out", "bench/results/chaos.md"));
    Path state = Files.createTempDirectory("gatehouse-chaos-");

    Map<String, Scenario> all = new LinkedHashMap<>();
    all.put(
        "broker",
        new Scenario(
            "broker", "kill -9 one Kafka node of three, back after 10 s", HOLD, brokerKill()));
    all.put(
        "proxy",
        new Scenario("proxy", "kill -9 one proxy of two, back after 10 s", HOLD, proxyKill()));
    all.put(
        "agent-freeze",
        new Scenario(
            "agent-freeze",
            "kill -STOP one agent of two for 10 s, then kill -CONT",
            HOLD,
            agentFreeze()));
    all.put(
        "kafka-outage",
        new Scenario(
            "kafka-outage",
            "kill -9 all three Kafka nodes, back after 60 s",
            Duration.ofSeconds(60),
            kafkaOutage()));
    all.put(
        "rolling",
        new Scenario(
            "rolling",
            "rolling restart, SIGTERM then start: each agent (it drains) then each proxy, one at a"
                + " time",
            Duration.ZERO,
            rollingRestart()));
    all.put(
        "proxy-rebuild",
        new Scenario(
            "proxy-rebuild",
            "one proxy stopped, its RocksDB deleted, started again: it rebuilds from the topics",
            Duration.ZERO,
            proxyRebuild()));

    List<Row> rows = new ArrayList<>();
    LocalCluster cluster = new LocalCluster(repo, state, jar, base);
    long began = System.nanoTime();
    try {
      log("bringing up the local cluster in " + state);
      cluster.up();
      log("up in " + seconds(System.nanoTime() - began) + " s");
      TopicCheck check = new TopicCheck(cluster.kafkaAdmin(), cluster.secret());
      // The JIT of every process warms up first, so that "before" is a steady rate.
      log("warming up for " + WARM_UP.toSeconds() + " s");
      ClientLoad warm = ClientLoad.start(cluster, "warm-up");
      park(WARM_UP);
      warm.stop();
      for (String name : only) {
        Scenario s = all.get(name.strip());
        if (s == null) {
          throw new IllegalArgumentException("no scenario " + name + "; one of " + all.keySet());
        }
        rows.add(run(cluster, check, s));
        log(format(rows.get(rows.size() - 1)));
      }
    } finally {
      log("stopping the local cluster");
      cluster.close();
      if (!opts.containsKey("--keep")) {
        FileTree.delete(state);
        Files.deleteIfExists(cluster.scriptLog());
      } else {
        log("kept " + state + " and " + cluster.scriptLog());
      }
    }
    String table = table(rows);
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    log("written to " + out);
  }

  private static Row run(LocalCluster cluster, TopicCheck check, Scenario s) throws Exception {
    log("scenario " + s.name() + ": " + s.description());
    long since = Instant.now().toEpochMilli();
    ClientLoad load = ClientLoad.start(cluster, s.name());
    park(STEADY);
    long t0 = System.nanoTime();
    s.fault().inject(cluster);
    // Attempts that began before the fault had taken (the process dead or stopped) were in flight.
    long injected = System.nanoTime();
    park(s.hold());
    s.fault().heal(cluster);
    long t1 = System.nanoTime();
    park(STEADY);
    load.stop();
    long end = System.nanoTime();

    List<Hit> hits = s.fault().hits().isEmpty() ? List.of(new Hit(t0, injected)) : s.fault().hits();
    List<Attempt> attempts = List.copyOf(load.attempts);
    long failedNew = 0;
    long failedPinned = 0;
    long failedInFlight = 0;
    long failedWrites = 0;
    long lastFailure = -1;
    List<String> errors = new ArrayList<>();
    for (Attempt a : attempts) {
      if (a.ok() || a.end() < t0) {
        continue;
      }
      lastFailure = Math.max(lastFailure, a.end());
      if (errors.size() < 12) {
        errors.add(
            String.format(
                Locale.ROOT,
                "%s %+.1f..%+.1f s: %s",
                a.kind(),
                (a.start() - t0) / 1e9,
                (a.end() - t0) / 1e9,
                a.error()));
      }
      if (a.kind() == Kind.WRITE) {
        failedWrites++;
      } else if (hits.stream().anyMatch(h -> h.open(a))
          || (a.kind() == Kind.TCP && a.established())) {
        failedInFlight++;
      } else if (a.kind() == Kind.PINNED) {
        failedPinned++;
      } else {
        failedNew++;
      }
    }
    long firstStart = attempts.stream().mapToLong(Attempt::start).min().orElse(t0);
    double before = okRate(attempts, firstStart, t0);
    double during = okRate(attempts, t0, t1);
    double after = okRate(attempts, t1, end);
    String loadCell =
        String.format(
            Locale.ROOT,
            "%.0f ok/s before, %.0f%% of it during, %.0f%% after",
            before,
            100 * during / before,
            100 * after / before);
    String recovery =
        (lastFailure < 0
                ? "no failure"
                : String.format(Locale.ROOT, "%.1f s", (lastFailure - t0) / 1e9))
            + (s.fault().measured().isEmpty() ? "" : "; " + s.fault().measured());
    long tcpOpened = attempts.stream().filter(a -> a.kind() == Kind.TCP && a.established()).count();
    TopicCheck.Lost topics = check.check(load, tcpOpened, since, Duration.ofSeconds(30));
    String lost =
        s.fault().missing().isEmpty()
            ? topics.toString()
            : topics + "; on the rebuilt proxy: " + s.fault().missing();
    return new Row(
        s.name() + ": " + s.description(),
        loadCell,
        failedNew,
        failedPinned,
        failedInFlight,
        failedWrites,
        recovery,
        lost,
        errors);
  }

  private static double okRate(List<Attempt> attempts, long from, long to) {
    long ok = attempts.stream().filter(a -> a.ok() && a.end() >= from && a.end() < to).count();
    return ok / Math.max(1e-9, (to - from) / 1e9);
  }

  private static Fault brokerKill() {
    return new Fault() {
      long serving;

      @Override
      public void inject(LocalCluster c) throws Exception {
        serving = c.logLines("kafka-1", "kafka node 1 serving");
        c.signal("kafka-1", "KILL");
      }

      @Override
      public void heal(LocalCluster c) throws Exception {
        c.start("kafka-1");
        LocalCluster.await(
            "kafka-1 to serve again",
            Duration.ofSeconds(120),
            () -> {
              try {
                return c.logLines("kafka-1", "kafka node 1 serving") > serving;
              } catch (IOException e) {
                return false;
              }
            });
      }
    };
  }

  private static Fault kafkaOutage() {
    return new Fault() {
      final long[] serving = new long[3];

      @Override
      public void inject(LocalCluster c) throws Exception {
        for (int n = 1; n <= 3; n++) {
          serving[n - 1] = c.logLines("kafka-" + n, "kafka node " + n + " serving");
          c.signal("kafka-" + n, "KILL");
        }
      }

      @Override
      public void heal(LocalCluster c) throws Exception {
        for (int n = 1; n <= 3; n++) {
          c.start("kafka-" + n);
        }
        for (int n = 1; n <= 3; n++) {
          int node = n;
          LocalCluster.await(
              "kafka-" + n + " to serve again",
              Duration.ofSeconds(120),
              () -> {
                try {
                  return c.logLines("kafka-" + node, "kafka node " + node + " serving")
                      > serving[node - 1];
                } catch (IOException e) {
                  return false;
                }
              });
        }
        LocalCluster.await(
            "both proxies ready", Duration.ofSeconds(60), () -> c.proxyReady(1) && c.proxyReady(2));
      }
    };
  }

  private static Fault proxyKill() {
    return new Fault() {
      @Override
      public void inject(LocalCluster c) throws Exception {
        c.signal("proxy-1", "KILL");
      }

      @Override
      public void heal(LocalCluster c) throws Exception {
        c.start("proxy-1");
        LocalCluster.await("proxy-1 to be ready", Duration.ofSeconds(90), () -> c.proxyReady(1));
        LocalCluster.await(
            "both agents back on both proxies",
            Duration.ofSeconds(30),
            () -> c.agentEverywhere("agent-1", 2) && c.agentEverywhere("agent-2", 2));
      }
    };
  }

  private static Fault agentFreeze() {
    return new Fault() {
      @Override
      public void inject(LocalCluster c) throws Exception {
        c.signal("agent-1", "STOP");
      }

      @Override
      public void heal(LocalCluster c) throws Exception {
        c.signal("agent-1", "CONT");
        LocalCluster.await(
            "agent-1 back on both proxies",
            Duration.ofSeconds(30),
            () -> c.agentEverywhere("agent-1", 2));
      }
    };
  }

  /**
   * Every agent, then every proxy, one at a time: SIGTERM, wait until it exited, start it, wait
   * until it serves again (an agent: a healthy tunnel to both proxies; a proxy: ready, back in
   * HAProxy's rotation, both agents' tunnels to it), then the next.
   */
  private static Fault rollingRestart() {
    return new Fault() {
      final List<Hit> hits = new ArrayList<>();
      final List<String> took = new ArrayList<>();

      @Override
      public void inject(LocalCluster c) throws Exception {
        for (int n = 1; n <= 2; n++) {
          String agent = "agent-" + n;
          long began = restart(c, agent);
          LocalCluster.await(
              agent + " back on both proxies",
              Duration.ofSeconds(60),
              () -> c.agentEverywhere(agent, 2));
          took.add(agent + " " + seconds(System.nanoTime() - began) + " s");
        }
        for (int n = 1; n <= 2; n++) {
          int proxy = n;
          String name = "proxy-" + n;
          long began = restart(c, name);
          LocalCluster.await(
              name + " to be ready", Duration.ofSeconds(90), () -> c.proxyReady(proxy));
          LocalCluster.await(
              name + " back in the balancer's rotation",
              Duration.ofSeconds(30),
              () -> c.balancerHas(name));
          LocalCluster.await(
              "both agents back on " + name,
              Duration.ofSeconds(30),
              () -> c.agentEverywhere("agent-1", 2) && c.agentEverywhere("agent-2", 2));
          took.add(name + " " + seconds(System.nanoTime() - began) + " s");
        }
      }

      private long restart(LocalCluster c, String name) throws Exception {
        log("rolling: stopping " + name);
        long began = System.nanoTime();
        hits.add(Hit.now());
        c.stop(name, GRACEFUL_STOP);
        log("rolling: " + name + " exited after " + seconds(System.nanoTime() - began) + " s");
        c.start(name);
        return began;
      }

      @Override
      public void heal(LocalCluster c) {}

      @Override
      public List<Hit> hits() {
        return hits;
      }

      @Override
      public String measured() {
        return "stop to serving again: " + String.join(", ", took);
      }
    };
  }

  /**
   * proxy-1 stopped gracefully, its RocksDB ({@code data_dir/state}) deleted, started again. Before
   * the stop, sessions are started through proxy-1 itself and the agent each is pinned to noted;
   * once it is ready again, each must still reach that agent through it, and it must list every
   * resource, user and role proxy-2 lists.
   */
  private static Fault proxyRebuild() {
    return new Fault() {
      final List<Hit> hits = new ArrayList<>();
      final Map<String, String> pinned = new LinkedHashMap<>();
      String measured = "";
      String missing = "";

      @Override
      public void inject(LocalCluster c) throws Exception {
        for (int i = 0; i < 3; i++) {
          String role = "chaos-viewer-" + i;
          created(
              c.post(
                  "/v1/roles",
                  "application/yaml",
                  "kind: role\nversion: v1\nmetadata: { name: "
                      + role
                      + " }\nspec:\n  allow: { app_labels: { chaos: \"rebuild-"
                      + i
                      + "\" } }\n"),
              role);
          created(
              c.post(
                  "/v1/users",
                  "application/json",
                  "{\"name\":\"chaos-user-" + i + "\",\"roles\":[\"" + role + "\"]}"),
              "chaos-user-" + i);
        }
        for (int i = 0; i < 10; i++) {
          RawHttp.Response r = c.app(c.proxyPort(1), null);
          String cookie = r.cookie().orElseThrow(() -> new IOException("no session cookie"));
          pinned.put(cookie, agentOf(r));
        }
        hits.add(Hit.now());
        c.stop("proxy-1", GRACEFUL_STOP);
        Path rocks = c.dataDir("proxy-1").resolve("state");
        if (!Files.isDirectory(rocks)) {
          throw new IOException("no RocksDB at " + rocks);
        }
        FileTree.delete(rocks);
        log("proxy-rebuild: deleted " + rocks);
      }

      @Override
      public void heal(LocalCluster c) throws Exception {
        long started = System.nanoTime();
        c.start("proxy-1");
        LocalCluster.await("proxy-1 to be ready", Duration.ofSeconds(120), () -> c.proxyReady(1));
        long ready = System.nanoTime();
        LocalCluster.await(
            "proxy-1 back in the balancer's rotation",
            Duration.ofSeconds(30),
            () -> c.balancerHas("proxy-1"));
        LocalCluster.await(
            "both agents back on proxy-1",
            Duration.ofSeconds(30),
            () -> c.agentEverywhere("agent-1", 2) && c.agentEverywhere("agent-2", 2));
        int same = 0;
        List<String> moved = new ArrayList<>();
        for (Map.Entry<String, String> pin : pinned.entrySet()) {
          RawHttp.Response r = c.app(c.proxyPort(1), pin.getKey());
          String agent = r.status() == 200 ? agentOf(r) : "status " + r.status();
          if (agent.equals(pin.getValue())) {
            same++;
          } else {
            moved.add(pin.getValue() + " -> " + agent);
          }
        }
        List<String> gone = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String path : List.of("/v1/resources", "/v1/users", "/v1/roles")) {
          List<String> lacking = lacking(c, path, counts);
          if (!lacking.isEmpty()) {
            gone.add(lacking.size() + " of " + path + " " + lacking);
          }
        }
        measured =
            String.format(
                Locale.ROOT,
                "ready %.1f s after its start on an empty state; %d of %d sessions pinned before"
                    + " on the same agent through it; %d resources, %d users, %d roles as on"
                    + " proxy-2",
                (ready - started) / 1e9,
                same,
                pinned.size(),
                counts.get("/v1/resources"),
                counts.get("/v1/users"),
                counts.get("/v1/roles"));
        List<String> problems = new ArrayList<>();
        if (!moved.isEmpty()) {
          problems.add(moved.size() + " pins moved " + moved);
        }
        problems.addAll(gone);
        missing = String.join("; ", problems);
      }

      private static void created(int status, String what) throws IOException {
        if (status / 100 != 2) {
          throw new IOException("creating " + what + " before the rebuild: status " + status);
        }
      }

      /**
       * What proxy-2 lists at {@code path} and proxy-1 does not; asked again for up to 10 s, as a
       * resource the load just created may not have reached one of them yet.
       */
      private List<String> lacking(LocalCluster c, String path, Map<String, Integer> counts)
          throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
          List<String> reference = names(c, 2, path);
          List<String> rebuilt = names(c, 1, path);
          List<String> lacking = new ArrayList<>(reference);
          lacking.removeAll(rebuilt);
          counts.put(path, rebuilt.size());
          if (lacking.isEmpty() || System.nanoTime() > deadline) {
            return lacking;
          }
          park(Duration.ofMillis(500));
        }
      }

      private List<String> names(LocalCluster c, int proxy, String path) throws Exception {
        var r = c.api(c.proxyPort(proxy), path);
        if (r.statusCode() != 200) {
          throw new IOException("GET " + path + " on proxy-" + proxy + ": " + r.statusCode());
        }
        List<String> names = new ArrayList<>();
        for (Object o : new JsonArray(r.body())) {
          JsonObject entry = (JsonObject) o;
          names.add(
              (entry.containsKey("kind") ? entry.getString("kind") + "/" : "")
                  + entry.getString("name"));
        }
        return names;
      }

      @Override
      public List<Hit> hits() {
        return hits;
      }

      @Override
      public String measured() {
        return measured;
      }

      @Override
      public String missing() {
        return missing;
      }
    };
  }

  /** The agent that answered, as its {@code Via} hop names it. */
  private static String agentOf(RawHttp.Response r) throws IOException {
    return r.header("Gatehouse-Agent")
        .or(
            () ->
                r.headers().stream()
                    .filter(h -> h.toLowerCase(Locale.ROOT).startsWith("via:"))
                    .flatMap(h -> List.of(h.substring(4).split(",")).stream())
                    .map(String::strip)
                    .filter(v -> v.contains("agent-"))
                    .map(v -> v.substring(v.indexOf("agent-")))
                    .findFirst())
        .orElseThrow(() -> new IOException("no agent named in " + r.headers()));
  }

  private static String table(List<Row> rows) {
    StringBuilder t = new StringBuilder();
    t.append("| scenario | load | failed: new / pinned / in flight (writes) | recovery | lost |\n");
    t.append("|---|---|---|---|---|\n");
    for (Row r : rows) {
      t.append("| ")
          .append(r.scenario())
          .append(" | ")
          .append(r.load())
          .append(" | ")
          .append(r.failedNew())
          .append(" / ")
          .append(r.failedPinned())
          .append(" / ")
          .append(r.failedInFlight())
          .append(" (")
          .append(r.failedWrites())
          .append(")")
          .append(" | ")
          .append(r.recovery())
          .append(" | ")
          .append(r.lost())
          .append(" |\n");
    }
    return t.toString();
  }

  private static String format(Row r) {
    return r.scenario()
        + ": "
        + r.load()
        + "; failed new/pinned/in flight (writes) "
        + r.failedNew()
        + "/"
        + r.failedPinned()
        + "/"
        + r.failedInFlight()
        + " ("
        + r.failedWrites()
        + "); recovery "
        + r.recovery()
        + "; lost "
        + r.lost()
        + (r.errors().isEmpty() ? "" : "; errors: " + r.errors());
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--keep")) {
        opts.put("--keep", "true");
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        opts.put(args[i], args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    return opts;
  }

  private static void park(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }

  private static void log(String line) {
    System.err.println("chaos: " + line);
    System.err.flush();
  }

  static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
