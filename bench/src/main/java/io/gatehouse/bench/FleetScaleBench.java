package io.gatehouse.bench;

import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.lifecycle.FileTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Issue 6, scenario 4, "control plane at scale": {@code fleet <records> [--rounds N] [--quick]
 * [--samples N] [--window SECONDS] [--proxy-xmx SIZE]}.
 *
 * <p>A simulated fleet (no agent processes, no sockets to agents) of {@code records / 10} agents,
 * each serving 10 resources, in groups of 10 agents serving the same 10 resources (so every
 * resource has 10 agents): one {@code ResourceHeartbeat} per (agent, resource), all with a one-hour
 * TTL so the whole fleet stays known during the run (it has no tunnels, so it is not routable: that
 * is issue 15's fleet over tunnels). They are produced to an embedded broker in this JVM; the proxy
 * under test is a real {@code io.gatehouse.proxy.Proxy} in a child JVM ({@link ProxyProcess}). It
 * measures:
 *
 * <ol>
 *   <li>materialization: a proxy on an empty data directory, {@code Proxy.start} → ready (the whole
 *       proxy: materializer, routing index, agents table), records applied / seconds; a fresh
 *       directory every round;
 *   <li>restart: a new proxy JVM on the same directory, to ready;
 *   <li>the restarted proxy's heap (after GC, less its JVM's baseline) and RSS, with the fleet
 *       loaded;
 *   <li>convergence on that proxy ({@link ConvergenceProbe});
 *   <li>steady-state heartbeat bytes/s of the fleet: one real agent with 10 resources through a
 *       real proxy ({@link HeartbeatTraffic}) times the number of agents, against a baseline of one
 *       record per heartbeat key per 90 s at the measured heartbeat size.
 * </ol>
 *
 * Prints one JSON object per line on stdout, the last one the summary; logs go to stderr.
 */
final class FleetScaleBench {
  private static final int RESOURCES_PER_AGENT = 10;
  private static final int AGENTS_PER_RESOURCE = 10;
  private static final Duration FLEET_TTL = Duration.ofHours(1);
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);

  private FleetScaleBench() {}

  /** The command line. */
  record Options(int records, int rounds, int samples, int windowSeconds, String proxyXmx) {
    static Options parse(String[] args) {
      if (args.length == 0) {
        throw new IllegalArgumentException(
            "usage: fleet <records> [--rounds N] [--quick] [--samples N] [--window SECONDS] [--proxy-xmx SIZE]");
      }
      int records = Integer.parseInt(args[0]);
      int rounds = 3;
      int samples = 500;
      int window = 65;
      String xmx = "1g";
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          case "--samples" -> samples = Integer.parseInt(args[++i]);
          case "--window" -> window = Integer.parseInt(args[++i]);
          case "--proxy-xmx" -> xmx = args[++i];
          case "--quick" -> {
            samples = 100;
            window = 20;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (records <= 0
          || records % (RESOURCES_PER_AGENT * AGENTS_PER_RESOURCE) != 0
          || rounds < 1
          || samples < 1
          || window < 1) {
        throw new IllegalArgumentException(
            "records must be a positive multiple of 100; rounds, samples and window positive");
      }
      return new Options(records, rounds, samples, window, xmx);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Fleet fleet =
        Fleet.grouped(
            options.records() / RESOURCES_PER_AGENT,
            RESOURCES_PER_AGENT,
            AGENTS_PER_RESOURCE,
            FLEET_TTL);
    Path work = Files.createTempDirectory("gatehouse-fleet-");
    Thread cleanup =
        new Thread(
            () -> {
              ProxyProcess.destroyAll();
              deleteQuietly(work);
            },
            "fleet-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    // The broker's data lives in the work directory too, so even a killed run leaves nothing
    // behind.
    try (EmbeddedKafka kafka =
        EmbeddedKafka.builder().dataDir(work.resolve("kafka")).build().start()) {
      String bootstrap = kafka.bootstrapServers();
      TopicNames names = BenchKafka.ensureTopics(bootstrap);
      long started = System.nanoTime();
      long produced;
      try (KafkaProducer<byte[], byte[]> producer = BenchKafka.bulkProducer(bootstrap)) {
        produced = fleet.produce(producer, names);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      print(
          "{\"scenario\":\"fleet-produce\",\"heartbeats\":%d,\"seconds\":%.2f,\"recordsPerSec\":%.0f}",
          fleet.size(), seconds, produced / seconds);

      FleetReport report = new FleetReport(options, fleet);
      for (int round = 0; round < options.rounds(); round++) {
        Path config =
            ProxyProcess.writeConfig(work.resolve("round-" + round), bootstrap, "fleet-proxy");
        try (ProxyProcess proxy = ProxyProcess.start(config, options.proxyXmx(), READY_TIMEOUT)) {
          report.materialized(round, proxy);
        }
        try (ProxyProcess proxy = ProxyProcess.start(config, options.proxyXmx(), READY_TIMEOUT)) {
          report.restarted(round, proxy);
          if (round == options.rounds() - 1) {
            report.memory(proxy);
            checkFleetRoutable(proxy, fleet);
            int warmUp = Math.max(5, options.samples() / 10);
            try (ConvergenceProbe probe = new ConvergenceProbe(proxy)) {
              report.convergence(probe.run(bootstrap, names, fleet, 0, warmUp, options.samples()));
            }
          }
        }
        FileTree.delete(config.getParent());
      }
      report.traffic(
          HeartbeatTraffic.measure(
              bootstrap,
              names,
              "traffic-agent",
              RESOURCES_PER_AGENT,
              Duration.ofSeconds(90),
              Duration.ofSeconds(5),
              Duration.ofSeconds(options.windowSeconds())));
      System.out.println(report.json());
    } finally {
      ProxyProcess.destroyAll();
      FileTree.delete(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  /** A sample of fleet resources must each list all its agents as healthy. */
  private static void checkFleetRoutable(ProxyProcess proxy, Fleet fleet) throws Exception {
    for (int resource : new int[] {0, fleet.resources / 2, fleet.resources - 1}) {
      var response = proxy.app(fleet.name(resource));
      int healthy = ProxyProcess.knownAgents(response);
      if (healthy != fleet.agents) {
        throw new IllegalStateException(
            fleet.name(resource)
                + " has "
                + healthy
                + " healthy agents instead of "
                + fleet.agents
                + ": "
                + response.body());
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (Exception e) {
      // best effort on the way out
    }
  }

  static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args).replace("NaN", "null"));
  }
}
