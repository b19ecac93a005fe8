package io.gatehouse.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code fleet} driver's figures: prints a line per round and phase as they come in, and {@link
 * #json} is the summary line (medians over rounds; memory and convergence of the last round's
 * restarted proxy; traffic of one real agent scaled to the fleet).
 */
final class FleetReport {
  /**
   * What the fleet's heartbeat traffic is compared with: one record per heartbeat key per period.
   */
  private static final Duration BASELINE_PERIOD = Duration.ofSeconds(90);

  private final FleetScaleBench.Options options;
  private final Fleet fleet;
  private final List<Double> rates = new ArrayList<>();
  private final List<Double> applyRates = new ArrayList<>();
  private final List<Double> materializeJvm = new ArrayList<>();
  private final List<Double> restarts = new ArrayList<>();
  private final List<Double> restartsJvm = new ArrayList<>();
  private long materialized;
  private double peakRss;
  private double heapMiB;
  private double heapUsedMiB;
  private double rssMiB;
  private ConvergenceProbe.Result convergence;
  private HeartbeatTraffic.Measurement traffic;

  FleetReport(FleetScaleBench.Options options, Fleet fleet) {
    this.options = options;
    this.fleet = fleet;
  }

  void materialized(int round, ProxyProcess proxy) throws Exception {
    materialized = proxy.appliedRecords();
    double rate = materialized / (proxy.proxyStartToReadyMillis() / 1e3);
    double applyRate = materialized / (proxy.firstRecordToReadyMillis() / 1e3);
    double hwm = mib(proxy.status("VmHWM"));
    rates.add(rate);
    applyRates.add(applyRate);
    materializeJvm.add(proxy.jvmStartToReadyMillis());
    peakRss = Math.max(peakRss, hwm);
    FleetScaleBench.print(
        "{\"scenario\":\"fleet-materialize\",\"round\":%d,\"appliedRecords\":%d,\"proxyStartToReadyMillis\":%.0f,\"jvmStartToReadyMillis\":%.0f,"
            + "\"firstRecordToReadyMillis\":%.0f,\"recordsPerSec\":%.0f,\"applyRecordsPerSec\":%.0f,\"peakRssMiB\":%.0f}",
        round,
        materialized,
        proxy.proxyStartToReadyMillis(),
        proxy.jvmStartToReadyMillis(),
        proxy.firstRecordToReadyMillis(),
        rate,
        applyRate,
        hwm);
  }

  void restarted(int round, ProxyProcess proxy) {
    if (proxy.appliedRecords() != 0) {
      throw new IllegalStateException("restart re-read " + proxy.appliedRecords() + " records");
    }
    restarts.add(proxy.proxyStartToReadyMillis());
    restartsJvm.add(proxy.jvmStartToReadyMillis());
    FleetScaleBench.print(
        "{\"scenario\":\"fleet-restart\",\"round\":%d,\"proxyStartToReadyMillis\":%.0f,\"jvmStartToReadyMillis\":%.0f,\"appliedRecords\":0}",
        round, proxy.proxyStartToReadyMillis(), proxy.jvmStartToReadyMillis());
  }

  void memory(ProxyProcess proxy) throws Exception {
    long used = proxy.heapUsedBytes();
    heapUsedMiB = mib(used);
    heapMiB = mib(used - proxy.baselineHeapBytes());
    rssMiB = mib(proxy.status("VmRSS"));
    FleetScaleBench.print(
        "{\"scenario\":\"fleet-memory\",\"heapUsedMiB\":%.1f,\"baselineHeapMiB\":%.1f,\"proxyHeapMiB\":%.1f,\"rssMiB\":%.0f,\"xmx\":\"%s\"}",
        heapUsedMiB, mib(proxy.baselineHeapBytes()), heapMiB, rssMiB, options.proxyXmx());
  }

  void convergence(ConvergenceProbe.Result result) {
    convergence = result;
    System.out.println(result.json().replace("NaN", "null"));
  }

  void traffic(HeartbeatTraffic.Measurement measurement) {
    traffic = measurement;
    System.out.println(measurement.json());
  }

  String json() {
    int agents = fleet.agentCount();
    int resourcesPerAgent = fleet.resourcesPerAgent;
    // A window shorter than the refresh period cannot see the refreshes: use the schedule then.
    boolean measured = traffic.coversRefresh();
    double bytesPerAgent = measured ? traffic.bytesPerSec() : traffic.scheduledBytesPerSec();
    double recordsPerAgent = measured ? traffic.recordsPerSec() : traffic.scheduledRecordsPerSec();
    double baselineRecords = fleet.size() / (double) BASELINE_PERIOD.toSeconds();
    double baselineBytes = baselineRecords * traffic.meanHeartbeatBytes();
    String notes =
        "Fleet: "
            + agents
            + " agents x "
            + resourcesPerAgent
            + " resources, in groups of "
            + fleet.agents
            + " agents serving the same "
            + resourcesPerAgent
            + " resources ("
            + fleet.resources
            + " resources, "
            + fleet.agents
            + " agents each); heartbeats carry a 1 h TTL so all stay known (no tunnels: not routable). The proxy runs in its own JVM (-Xmx"
            + options.proxyXmx()
            + "); the broker and this driver run in another. materializeRecordsPerSec = records applied"
            + " (heartbeats) / (Proxy.start -> ready), whole proxy incl. routing index and a cold JVM's class loading;"
            + " materializeApplyRecordsPerSec = the same / (first record applied -> ready); restartToReadyMillis ="
            + " Proxy.start -> ready, JVM figures include JVM start. proxyHeapMiB = heap used after 2 GCs minus the child JVM's"
            + " baseline before Proxy.start; proxyRssMiB = child VmRSS (heap, RocksDB native memory, metaspace)."
            + " Convergence: send -> SSE event on /v1/events, each sample confirmed by GET totalAgents >= 1."
            + " Traffic: one real agent through a real proxy (refresh 90 s) with "
            + resourcesPerAgent
            + " resources for "
            + options.windowSeconds()
            + " s, key+value bytes as produced, "
            + (measured
                ? "measured rate"
                : "window shorter than the refresh: rate from the schedule at measured sizes")
            + ", times "
            + agents
            + " agents; baseline = one record per heartbeat key per "
            + BASELINE_PERIOD.toSeconds()
            + " s at the measured mean heartbeat size.";
    return String.format(
            Locale.ROOT,
            "{\"scenario\":\"fleet\",\"records\":%d,\"agents\":%d,\"resourcesPerAgent\":%d,\"agentsPerResource\":%d,\"resources\":%d,"
                + "\"rounds\":%d,\"materializedRecords\":%d,\"materializeRecordsPerSec\":%.0f,\"materializeApplyRecordsPerSec\":%.0f,\"materializeJvmStartToReadyMillis\":%.0f,"
                + "\"restartToReadyMillis\":%.0f,\"restartJvmStartToReadyMillis\":%.0f,"
                + "\"convergenceP50Millis\":%.1f,\"convergenceP99Millis\":%.1f,\"convergenceMaxMillis\":%.1f,\"convergenceSamples\":%d,\"convergenceRoutable\":%d,"
                + "\"proxyHeapMiB\":%.1f,\"proxyHeapUsedMiB\":%.1f,\"proxyRssMiB\":%.0f,\"proxyPeakRssMiB\":%.0f,\"proxyXmx\":\"%s\","
                + "\"fleetBytesPerSec\":%.0f,\"fleetRecordsPerSec\":%.0f,\"fleetTraffic\":\"%s\",\"baselineBytesPerSec\":%.0f,\"baselineRecordsPerSec\":%.0f,"
                + "\"fleetToBaselineBytes\":%.2f,\"fleetToBaselineRecords\":%.2f,\"meanHeartbeatBytes\":%.1f,"
                + "\"cores\":%d,\"jvm\":\"%s\",\"notes\":\"%s\"}",
            fleet.size(),
            agents,
            resourcesPerAgent,
            fleet.agents,
            fleet.resources,
            options.rounds(),
            materialized,
            Stats.median(rates),
            Stats.median(applyRates),
            Stats.median(materializeJvm),
            Stats.median(restarts),
            Stats.median(restartsJvm),
            convergence.millis(0.5),
            convergence.millis(0.99),
            convergence.millis(1.0),
            convergence.latencyNanos().length,
            convergence.routable(),
            heapMiB,
            heapUsedMiB,
            rssMiB,
            peakRss,
            options.proxyXmx(),
            bytesPerAgent * agents,
            recordsPerAgent * agents,
            measured ? "measured" : "schedule",
            baselineBytes,
            baselineRecords,
            bytesPerAgent * agents / baselineBytes,
            recordsPerAgent * agents / baselineRecords,
            traffic.meanHeartbeatBytes(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"),
            notes)
        .replace("NaN", "null");
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
