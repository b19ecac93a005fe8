package io.gatehouse.bench.suite;

import io.gatehouse.bench.Stats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 2: bulk upload (MB/s), 64-byte round trips (p50/p99) and session setup (connect to the
 * first byte back, p50/p99) over each compared path, rounds interleaved. Gatehouse's path is a
 * tunnel opened with relay's {@code TunnelClient} (what {@code gatehouse tunnel} runs on the user's
 * machine), through proxy and agent.
 */
record TcpScenario(List<Path> paths, Settings settings) {
  private static final int MESSAGE_BYTES = 64;

  /** A compared TCP path and the tiers charged for it. */
  record Path(String name, TcpLoad.Connector connector, List<Hop> hops) {}

  Table run() throws IOException {
    Map<String, List<Double>> mbps = new LinkedHashMap<>();
    Map<String, List<Double>> p50 = new LinkedHashMap<>();
    Map<String, List<Double>> p99 = new LinkedHashMap<>();
    Map<String, List<Double>> cpuProxy = new LinkedHashMap<>();
    Map<String, List<Double>> cpuAgent = new LinkedHashMap<>();
    Map<String, List<Double>> setupP50 = new LinkedHashMap<>();
    Map<String, List<Double>> setupP99 = new LinkedHashMap<>();
    int setups = Math.max(50, settings.roundTrips() / 40);
    for (Path p : paths) {
      TcpLoad.bulkMegabytesPerSec(p.connector(), settings.bulkBytes() / 8); // warm-up
      TcpLoad.roundTrips(p.connector(), 0, settings.roundTrips() / 2, MESSAGE_BYTES);
    }
    for (int r = 0; r < settings.rounds(); r++) {
      for (Path p : paths) {
        double proxyBefore = cpu(p, "proxy");
        double agentBefore = cpu(p, "agent");
        mbps.computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add(TcpLoad.bulkMegabytesPerSec(p.connector(), settings.bulkBytes()));
        double gib = settings.bulkBytes() / (double) (1L << 30);
        cpuProxy
            .computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add((cpu(p, "proxy") - proxyBefore) / gib);
        cpuAgent
            .computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add((cpu(p, "agent") - agentBefore) / gib);
        long[] rtt = TcpLoad.roundTrips(p.connector(), 500, settings.roundTrips(), MESSAGE_BYTES);
        p50.computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add(Stats.percentile(rtt, 0.50) / 1e3);
        p99.computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add(Stats.percentile(rtt, 0.99) / 1e3);
        long[] setup = TcpLoad.setups(p.connector(), 20, setups, MESSAGE_BYTES);
        setupP50
            .computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add(Stats.percentile(setup, 0.50) / 1e6);
        setupP99
            .computeIfAbsent(p.name(), k -> new ArrayList<>())
            .add(Stats.percentile(setup, 0.99) / 1e6);
      }
    }
    Table t =
        new Table(
            "tcp",
            "TCP data path: bulk upload and 64-byte round trips",
            "path",
            "bulk MB/s",
            "vs direct",
            "vs HAProxy",
            "RTT p50 µs",
            "RTT p99 µs",
            "p99 vs HAProxy",
            "setup p50 ms",
            "setup p99 ms",
            "setup p50 vs HAProxy",
            "setup p99 vs HAProxy",
            "proxy CPU s/GiB",
            "agent CPU s/GiB");
    double direct = Stats.median(mbps.get("direct"));
    double haproxy = Stats.median(mbps.get("haproxy"));
    double haproxyP99 = Stats.median(p99.get("haproxy"));
    double haproxySetup50 = Stats.median(setupP50.get("haproxy"));
    double haproxySetup99 = Stats.median(setupP99.get("haproxy"));
    for (Path p : paths) {
      double m = Stats.median(mbps.get(p.name()));
      double q99 = Stats.median(p99.get(p.name()));
      double s50 = Stats.median(setupP50.get(p.name()));
      double s99 = Stats.median(setupP99.get(p.name()));
      boolean relayed = !p.hops().isEmpty();
      t.row(
          p.name(),
          m,
          Table.ratio(m, direct),
          Table.ratio(m, haproxy),
          Stats.median(p50.get(p.name())),
          q99,
          Table.ratio(q99, haproxyP99),
          s50,
          s99,
          Table.ratio(s50, haproxySetup50),
          Table.ratio(s99, haproxySetup99),
          relayed ? Stats.median(cpuProxy.get(p.name())) : null,
          relayed ? Stats.median(cpuAgent.get(p.name())) : null);
    }
    return t.note(
        "one connection; upload of "
            + (settings.bulkBytes() >> 20)
            + " MiB in 64 KiB writes to a sink that answers its count; "
            + settings.roundTrips()
            + " round trips of "
            + MESSAGE_BYTES
            + " B to an echo after 500 unmeasured; "
            + setups
            + " session setups (connect, "
            + MESSAGE_BYTES
            + " B and its echo, close) after 20 unmeasured; median of "
            + settings.rounds()
            + " interleaved rounds");
  }

  private static double cpu(Path p, String tier) {
    return p.hops().stream().filter(h -> h.tier().equals(tier)).mapToDouble(Hop::cpuSeconds).sum();
  }
}
