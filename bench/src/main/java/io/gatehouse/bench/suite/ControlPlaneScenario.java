package io.gatehouse.bench.suite;

import io.gatehouse.bench.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 4, the control plane at scale, each measurement in its own JVM so that heap, RSS and JIT
 * state do not leak between them: {@code fleet 100000} and {@code fleet 1000000} (a simulated fleet
 * against an embedded broker and a real proxy) and JMH's {@code SelectionBenchmark} at both sizes.
 */
record ControlPlaneScenario(Launcher launcher, Path work, Settings settings) {
  List<Table> run() throws IOException, InterruptedException {
    List<JsonObject> fleets = new ArrayList<>();
    // The quick pass keeps to the 100k fleet: the 1M one alone takes minutes to produce and load.
    for (int records : settings.quick() ? List.of(100_000) : List.of(100_000, 1_000_000)) {
      fleets.add(fleet(records));
    }
    Table fleet =
        new Table(
            "fleet",
            "Control plane at scale: simulated fleet, real broker, proxy in its own JVM",
            "heartbeat records",
            "agents",
            "apply rec/s",
            "restart to ready s",
            "incl. JVM start s",
            "convergence p50 ms",
            "convergence p99 ms",
            "proxy heap MiB",
            "proxy RSS MiB",
            "fleet heartbeat B/s",
            "baseline B/s",
            "vs baseline");
    for (JsonObject f : fleets) {
      double bytes = f.getDouble("fleetBytesPerSec");
      double baseline = f.getDouble("baselineBytesPerSec");
      fleet.row(
          (double) f.getLong("records"),
          (double) f.getLong("agents"),
          f.getDouble("materializeApplyRecordsPerSec"),
          f.getDouble("restartToReadyMillis") / 1000,
          f.getDouble("restartJvmStartToReadyMillis") / 1000,
          f.getDouble("convergenceP50Millis"),
          f.getDouble("convergenceP99Millis"),
          f.getDouble("proxyHeapMiB"),
          f.getDouble("proxyRssMiB"),
          bytes,
          baseline,
          Table.ratio(bytes, baseline));
    }
    fleet.note(
        "10 resources per agent, 10 agents per resource; apply rate = heartbeats from the first record to ready (median of "
            + settings.fleetRounds()
            + " rounds); restart = Proxy.start (and JVM start) to /readyz on the full store");
    fleet.note(
        "convergence: producer.send of a new heartbeat to its event on the proxy's /v1/events, each confirmed known (totalAgents) via the API");
    fleet.note(
        "traffic: one real agent with 10 resources (beat 1 s, refresh 60 s) measured and scaled; baseline = one record per resource per 90 s");
    return List.of(fleet, selection());
  }

  private JsonObject fleet(int records) throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fleet",
                Integer.toString(records),
                "--rounds",
                Integer.toString(settings.fleetRounds())));
    if (settings.quick()) {
      args.addAll(List.of("--quick", "--window", "8"));
    }
    return Child.summary(
        "fleet-" + records,
        work,
        launcher.bench(Main.class, args.toArray(String[]::new)),
        "fleet",
        Duration.ofMinutes(20));
  }

  private Table selection() throws IOException, InterruptedException {
    Path json = work.resolve("selection.json");
    List<String> jmh =
        new ArrayList<>(
            List.of("jmh", "SelectionBenchmark", "-rf", "json", "-rff", json.toString()));
    jmh.addAll(
        settings.quick()
            ? List.of(
                "-p", "records=100000", "-wi", "1", "-i", "1", "-w", "1s", "-r", "2s", "-f", "1")
            : List.of("-wi", "3", "-i", "5", "-w", "3s", "-r", "5s", "-f", "1"));
    Child child =
        Child.start("jmh-selection", work, launcher.bench(Main.class, jmh.toArray(String[]::new)));
    Waits.until("JMH SelectionBenchmark to finish", Duration.ofMinutes(20), () -> !child.isAlive());
    if (!Files.exists(json)) {
      throw new IOException("JMH wrote no results:\n" + child.tail());
    }
    Table t =
        new Table(
            "selection",
            "Selection + pin for a new session (JMH sample mode)",
            "heartbeat records",
            "p50 µs",
            "p99 µs",
            "vs 50 µs target");
    for (Object o : new JsonArray(Files.readString(json))) {
      JsonObject b = (JsonObject) o;
      JsonObject percentiles = b.getJsonObject("primaryMetric").getJsonObject("scorePercentiles");
      double p99 = percentiles.getDouble("99.0");
      Object records = b.getJsonObject("params", new JsonObject()).getValue("records", "1000000");
      t.row(
          Double.parseDouble(records.toString()),
          percentiles.getDouble("50.0"),
          p99,
          Table.ratio(p99, 50));
    }
    return t.note(
        "read the resource's agents, pick a random healthy one, write the pin to local state; target p99 < 50 µs");
  }
}
