package io.gatehouse.bench.suite;

import io.gatehouse.bench.Main;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario {@code tunnels}, the proxy's cost per connected agent: {@code benchmarks.jar tunnels
 * AGENTS} in its own JVM (a real proxy in another, the simulated agents in a third, each holding
 * one real mutual-TLS tunnel), as two tables: the proxy at each level, and the cost per agent with
 * its extrapolation to 100,000 agents and the classes that grow most per agent.
 */
record TunnelScenario(Launcher launcher, Path work, Settings settings, int agents, int serve) {
  private static final double MIB = 1024.0 * 1024;

  List<Table> run() throws IOException, InterruptedException {
    JsonObject r = measure();
    Table levels =
        new Table(
            "tunnels",
            "Proxy with "
                + agents
                + " agents connected: lightweight tunnel clients in one JVM, proxy in its own",
            "agents",
            "heap MiB",
            "heap committed MiB",
            "RSS MiB",
            "RSS − committed MiB",
            "direct MiB",
            "threads",
            "idle CPU % of a core");
    for (Object o : r.getJsonArray("levels")) {
      JsonObject l = (JsonObject) o;
      levels.row(
          l.getDouble("agents"),
          l.getDouble("heapUsedBytes") / MIB,
          l.getDouble("heapCommittedBytes") / MIB,
          l.getDouble("rssBytes") / MIB,
          l.getDouble("nativeBytes") / MIB,
          l.getDouble("directBytes") / MIB,
          l.getDouble("threads"),
          100 * l.getDouble("idleCpuSecondsPerSecond"));
    }
    JsonObject connect = r.getJsonObject("connect");
    levels.note(
        String.format(
            Locale.ROOT,
            "connect: %d tunnels in %.1f s (%.0f tunnels/s, at most 32 handshakes in flight),"
                + " %.2f ms of proxy CPU per tunnel; %d serve lines per agent on its control stream",
            connect.getLong("tunnels"),
            connect.getDouble("seconds"),
            connect.getDouble("tunnelsPerSec"),
            connect.getDouble("proxyCpuMillisPerTunnel"),
            r.getInteger("serveLinesPerAgent")));
    List<String> steps = new ArrayList<>();
    for (Object o : connect.getJsonArray("steps")) {
      JsonObject c = (JsonObject) o;
      steps.add(
          String.format(
              Locale.ROOT,
              "%d at %.0f/s, %.2f ms CPU each",
              c.getLong("tunnels"),
              c.getDouble("tunnelsPerSec"),
              c.getDouble("proxyCpuMillisPerTunnel")));
    }
    levels.note(
        "by step (the first on a cold proxy): "
            + String.join("; ", steps)
            + "; tunnels the proxy found dead and the fleet redialed: "
            + r.getLong("redials"));
    levels.note(
        "heap after full GCs; idle = "
            + r.getInteger("idleSeconds")
            + " s with every tunnel up (each agent pings every 1 s, no sessions); proxy -Xmx"
            + r.getString("proxyXmx"));

    JsonObject per = r.getJsonObject("perAgent");
    JsonObject x = r.getJsonObject("extrapolation");
    Table cost =
        new Table(
            "tunnels-per-agent",
            "Proxy cost per connected agent, and at 100,000 agents",
            "slope",
            "heap KiB",
            "RSS KiB",
            "RSS − committed KiB",
            "direct KiB",
            "idle CPU µs/s");
    cost.row(
        "0 → " + agents,
        per.getDouble("heapUsedBytes") / 1024,
        per.getDouble("rssBytes") / 1024,
        per.getDouble("nativeBytes") / 1024,
        per.getDouble("directBytes") / 1024,
        per.getDouble("idleCpuSecondsPerSecond") * 1e6);
    for (Object o : steps(r)) {
      JsonObject s = (JsonObject) o;
      cost.row(
          s.getInteger("fromAgents") + " → " + s.getInteger("toAgents"),
          s.getDouble("heapUsedBytes") / 1024,
          s.getDouble("rssBytes") / 1024,
          s.getDouble("nativeBytes") / 1024,
          s.getDouble("directBytes") / 1024,
          s.getDouble("idleCpuSecondsPerSecond") * 1e6);
    }
    cost.note(
        String.format(
            Locale.ROOT,
            "at 100k agents (baseline + 100k × slope 0 → %d): live heap %.2f GiB (proxy -Xmx%dm),"
                + " RSS %.2f GiB (all of -Xmx committed, plus the native part at the last step's"
                + " slope; %.2f GiB by the RSS slope alone), direct %.0f MiB, idle CPU %.2f cores,"
                + " 100k sockets (ulimit -n)",
            agents,
            x.getDouble("heapUsedBytes") / (1024 * MIB),
            x.getLong("proxyXmxMiB"),
            x.getDouble("rssBytes") / (1024 * MIB),
            x.getDouble("rssLinearBytes") / (1024 * MIB),
            x.getDouble("directBytes") / MIB,
            x.getDouble("idleCpuCores")));
    List<String> top = new ArrayList<>();
    for (Object o : r.getJsonArray("histogram")) {
      JsonObject h = (JsonObject) o;
      if (top.size() < 8) {
        top.add(
            String.format(
                Locale.ROOT,
                "%s %.0f B (%.1f)",
                h.getString("class"),
                h.getDouble("bytesPerAgent"),
                h.getDouble("instancesPerAgent")));
      }
    }
    cost.note(
        String.format(
            Locale.ROOT,
            "live objects per agent (class histogram, %.0f B in all), largest: %s",
            r.getDouble("histogramLiveBytesPerAgent"),
            String.join("; ", top)));
    return List.of(levels, cost);
  }

  /** The slope of each step, when there was more than one (else it is the one above). */
  private static List<Object> steps(JsonObject r) {
    List<Object> steps = r.getJsonArray("perAgentBySteps").stream().toList();
    return steps.size() > 1 ? steps : List.of();
  }

  private JsonObject measure() throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(List.of("tunnels", Integer.toString(agents), "--serve", "" + serve));
    if (settings.quick()) {
      args.addAll(List.of("--steps", "1", "--idle", "5"));
    }
    return Child.summary(
        "tunnels-" + agents,
        work,
        launcher.bench(Main.class, args.toArray(String[]::new)),
        "tunnels",
        Duration.ofMinutes(20));
  }
}
