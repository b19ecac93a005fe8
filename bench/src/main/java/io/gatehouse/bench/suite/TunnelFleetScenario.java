package io.gatehouse.bench.suite;

import io.gatehouse.bench.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario {@code tunnel-fleet}, fleet scale over tunnels: {@code benchmarks.jar tunnel-fleet
 * AGENTS} in its own JVM (two real proxies, the simulated agents in two more JVMs, each agent with
 * a tunnel to both proxies and 10 apps), as three tables: each proxy's cost per connected agent,
 * the fleet's Kafka traffic and the convergence of a new resource, and the restart of one proxy
 * with its agents' reconnects over time.
 */
record TunnelFleetScenario(Launcher launcher, Path work, Settings settings, int agents) {
  private static final double MIB = 1024.0 * 1024;

  List<Table> run() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("tunnel-fleet", Integer.toString(agents)));
    if (settings.quick()) {
      args.addAll(List.of("--steps", "1", "--idle", "5", "--window", "20", "--samples", "50"));
    }
    JsonObject r =
        Child.summary(
            "tunnel-fleet-" + agents,
            work,
            launcher.bench(Main.class, args.toArray(String[]::new)),
            "tunnel-fleet",
            Duration.ofMinutes(60));
    return List.of(proxies(r), fleet(r), restart(r));
  }

  private Table proxies(JsonObject r) {
    Table t =
        new Table(
            "tunnel-fleet-proxies",
            "Two proxies, "
                + r.getInteger("agents")
                + " agents each with a tunnel to both and "
                + r.getInteger("resourcesPerAgent")
                + " apps",
            "proxy",
            "agents",
            "heap MiB",
            "heap committed MiB",
            "RSS MiB",
            "direct MiB",
            "idle CPU % of a core",
            "heap KiB/agent",
            "RSS KiB/agent",
            "idle CPU µs/s/agent");
    JsonArray levels = r.getJsonArray("levels");
    for (int p = 0; p < 2; p++) {
      JsonObject per = r.getJsonArray("perAgentByProxy").getJsonObject(p);
      for (int i = 0; i < levels.size(); i++) {
        JsonObject l = levels.getJsonObject(i).getJsonArray("proxies").getJsonObject(p);
        boolean last = i == levels.size() - 1;
        t.row(
            "proxy-" + p,
            l.getDouble("agents"),
            l.getDouble("heapUsedBytes") / MIB,
            l.getDouble("heapCommittedBytes") / MIB,
            l.getDouble("rssBytes") / MIB,
            l.getDouble("directBytes") / MIB,
            100 * l.getDouble("idleCpuSecondsPerSecond"),
            last ? per.getDouble("heapUsedBytes") / 1024 : Double.NaN,
            last ? per.getDouble("rssBytes") / 1024 : Double.NaN,
            last ? per.getDouble("idleCpuSecondsPerSecond") * 1e6 : Double.NaN);
      }
    }
    JsonObject c = r.getJsonObject("connect");
    t.note(
        String.format(
            Locale.ROOT,
            "connect: %d tunnels in %.1f s (%.0f tunnels/s, at most %d handshakes in flight per"
                + " fleet JVM, %d fleet JVMs), %.2f ms of proxy CPU per tunnel; per-agent figures"
                + " are the slope from no agents to all; proxy -Xmx%s",
            c.getLong("tunnels"),
            c.getDouble("seconds"),
            c.getDouble("tunnelsPerSec"),
            r.getInteger("inFlight"),
            r.getInteger("fleetJvms"),
            c.getDouble("proxyCpuMillisPerTunnel"),
            r.getString("proxyXmx")));
    JsonObject x = r.getJsonObject("extrapolation");
    List<String> proxies = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      JsonObject e = x.getJsonArray("proxies").getJsonObject(p);
      proxies.add(
          String.format(
              Locale.ROOT,
              "proxy-%d heap %.0f MiB, RSS %.0f MiB, idle CPU %.2f cores",
              p,
              e.getDouble("heapUsedBytes") / MIB,
              e.getDouble("rssBytes") / MIB,
              e.getDouble("idleCpuCores")));
    }
    t.note(
        String.format(
            Locale.ROOT,
            "linear at %d agents: %s; the fleet's own idle CPU %.2f cores; heartbeats %.0f B/s;"
                + " restarted proxy CPU %.0f s",
            x.getInteger("agents"),
            String.join("; ", proxies),
            x.getDouble("fleetIdleCpuCores"),
            x.getDouble("heartbeatBytesPerSec"),
            x.getDouble("restartedProxyCpuSeconds")));
    return t;
  }

  private Table fleet(JsonObject r) {
    JsonArray levels = r.getJsonArray("levels");
    JsonObject all = levels.getJsonObject(levels.size() - 1);
    JsonObject kafka = all.getJsonObject("kafka");
    JsonObject heartbeats = kafka.getJsonObject("gatehouse.heartbeats");
    JsonObject tunnels = kafka.getJsonObject("gatehouse.tunnels");
    JsonObject conv = r.getJsonObject("convergence");
    JsonObject both = conv.getJsonObject("both");
    int n = r.getInteger("agents");
    Table t =
        new Table(
            "tunnel-fleet-kafka",
            "Kafka traffic of the fleet and convergence of a new resource to routable",
            "agents",
            "heartbeat B/s",
            "heartbeat records/s",
            "B per record",
            "B/s per agent",
            "presence B/s",
            "convergence p50 ms",
            "convergence p99 ms",
            "routable on both");
    t.row(
        n,
        heartbeats.getDouble("bytesPerSec"),
        heartbeats.getDouble("recordsPerSec"),
        heartbeats.getDouble("bytesPerRecord"),
        heartbeats.getDouble("bytesPerSec") / n,
        tunnels.getDouble("bytesPerSec"),
        both.getDouble("p50Millis"),
        both.getDouble("p99Millis"),
        conv.getInteger("routableOnBoth") + " of " + conv.getInteger("samples"));
    t.note(
        String.format(
            Locale.ROOT,
            "Kafka: bytes produced to each topic as the broker counts them (BytesInPerSec) over the"
                + " last level's %.0f s idle window; convergence: an agent starts serving one more"
                + " app → its heartbeat's event on both proxies' /v1/events (slowest of the two;"
                + " proxy-0 p50/p99 %.1f/%.1f ms, proxy-1 %.1f/%.1f ms), then routable on both by"
                + " GET /v1/resources/app/NAME (a healthy agent)",
            kafka.getDouble("seconds"),
            conv.getJsonArray("byProxy").getJsonObject(0).getDouble("p50Millis"),
            conv.getJsonArray("byProxy").getJsonObject(0).getDouble("p99Millis"),
            conv.getJsonArray("byProxy").getJsonObject(1).getDouble("p50Millis"),
            conv.getJsonArray("byProxy").getJsonObject(1).getDouble("p99Millis")));
    return t;
  }

  private Table restart(JsonObject r) {
    JsonObject x = r.getJsonObject("restart");
    Table t =
        new Table(
            "tunnel-fleet-restart",
            "Restart of proxy-1 (SIGKILL, started again on its port and data)",
            "agents",
            "kill → ready s",
            "kill → all back s",
            "first reconnect s",
            "p50 reconnect s",
            "p99 reconnect s",
            "failed dials",
            "restarted proxy CPU s");
    t.row(
        x.getInteger("agents"),
        x.getDouble("killToReadySeconds"),
        x.getDouble("killToAllBackSeconds"),
        x.getDouble("firstReconnectSeconds"),
        x.getDouble("p50ReconnectSeconds"),
        x.getDouble("p99ReconnectSeconds"),
        x.getDouble("failedDials"),
        x.getDouble("restartedProxyCpuSeconds"));
    t.note(
        "reconnects per "
            + x.getLong("bucketMillis")
            + " ms after the kill: "
            + x.getJsonArray("reconnectsByBucket").encode());
    t.note(
        "failed dials per "
            + x.getLong("bucketMillis")
            + " ms after the kill: "
            + x.getJsonArray("failedDialsByBucket").encode());
    return t;
  }
}
