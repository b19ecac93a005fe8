package io.gatehouse.bench.chaos;

import io.gatehouse.bench.chaos.ClientLoad.Attempt;
import io.gatehouse.bench.chaos.ClientLoad.Kind;
import io.gatehouse.lifecycle.FileTree;
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
 * of load, the fault, the fault held, the repair, 8 s more. Reports per scenario the load held
 * during the fault, the failed attempts (new sessions, pinned sessions, in flight when the fault
 * hit), the time from the fault to the last failure, and what {@link TopicCheck} finds missing on
 * the topics.
 */
public final class ChaosRun {
  private static final Duration STEADY = Duration.ofSeconds(8);
  private static final Duration HOLD = Duration.ofSeconds(10);
  private static final Duration WARM_UP = Duration.ofSeconds(20);

  /** A fault: what is done, how it is repaired, and how to tell the repair has taken. */
  private interface Fault {
    void inject(LocalCluster c) throws Exception;

    void heal(LocalCluster c) throws Exception;
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
      TopicCheck.Lost lost,
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
        List.of(opts.getOrDefault("--only", "broker,proxy,agent-freeze,kafka-outage").split(","));
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
      } else if (a.start() < injected || (a.kind() == Kind.TCP && a.established())) {
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
        lastFailure < 0
            ? "no failure"
            : String.format(Locale.ROOT, "%.1f s", (lastFailure - t0) / 1e9);
    long tcpOpened = attempts.stream().filter(a -> a.kind() == Kind.TCP && a.established()).count();
    TopicCheck.Lost lost = check.check(load, tcpOpened, since, Duration.ofSeconds(30));
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
