package io.gatehouse.bench;

import io.gatehouse.bench.suite.Ports;
import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.lifecycle.FileTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 15, part 4, "fleet scale over tunnels": {@code tunnel-fleet <agents> [--serve R] [--steps
 * K] [--idle SECONDS] [--window SECONDS] [--samples N] [--fleet-jvms J] [--in-flight K]
 * [--proxy-xmx SIZE] [--fleet-xmx SIZE] [--extrapolate-to N]}.
 *
 * <p>An embedded broker in this JVM, two real proxies in their own JVMs ({@link ProxyProcess}, one
 * cluster CA, fixed ports) and {@code agents} simulated agents ({@link TunnelFleet}) split over
 * {@code J} fleet JVMs (default 2, so that no process holds more sockets than the hard {@code
 * ulimit -n} allows, which is checked first), each agent with a tunnel to both proxies, serving
 * {@code R} apps (default 10) and naming one proxy its heartbeat writer, as real agents do. It
 * measures:
 *
 * <ol>
 *   <li>the connect, in {@code K} equal steps (default 2), at most {@code --in-flight} handshakes
 *       in flight per fleet JVM: tunnels/s and proxy CPU per tunnel;
 *   <li>at no agents and after each step, once both proxies' {@code gatehouse_agents_alive} show
 *       every agent: each proxy's CPU over an idle window ({@code --idle}, default 30 s; the last
 *       level {@code --window}, default 100 s, longer than a heartbeat refresh), then its memory
 *       ({@link ProxyLevel}); and over the same window what the proxies wrote to Kafka, per topic,
 *       as the broker counts it ({@link TopicTraffic});
 *   <li>convergence: {@code N} times (default 200, after 20 unmeasured), a random agent starts
 *       serving one more app, timed from the command to the fleet to that heartbeat's event on each
 *       proxy's change stream ({@link HeartbeatEvents}), then confirmed routable on both ({@code
 *       GET /v1/resources/app/NAME} shows a healthy agent);
 *   <li>restart: the second proxy is killed ({@code SIGKILL}) and started again on its port and
 *       data; the time from the kill until it shows every agent alive again, and when each agent's
 *       redial brought its tunnel up or failed (the fleet's log), as a histogram.
 * </ol>
 *
 * <p>Where the machine cannot hold the 10,000 agents, {@code extrapolation} scales what was
 * measured to {@code --extrapolate-to} agents (default 10,000), linearly from the slopes.
 *
 * <p>Prints one JSON object per line on stdout, the last one the summary; logs go to stderr.
 */
final class TunnelFleetBench {
  private static final Duration SETTLE = Duration.ofSeconds(10);
  private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(10);
  private static final long BUCKET_MILLIS = 500;
  private static final int PROXIES = 2;

  private TunnelFleetBench() {}

  /** The command line. */
  record Options(
      int agents,
      int serve,
      int steps,
      int idleSeconds,
      int windowSeconds,
      int samples,
      int fleetJvms,
      int inFlight,
      String proxyXmx,
      String fleetXmx,
      int extrapolateTo) {
    static Options parse(String[] args) {
      int agents = 10_000;
      int serve = 10;
      int steps = 2;
      int idle = 30;
      int window = 100;
      int samples = 200;
      int jvms = 2;
      int inFlight = 32;
      String proxyXmx = "1536m";
      String fleetXmx = "1536m";
      int extrapolateTo = 10_000;
      int i = 0;
      if (args.length > 0 && !args[0].startsWith("--")) {
        agents = Integer.parseInt(args[i++]);
      }
      for (; i < args.length; i++) {
        switch (args[i]) {
          case "--serve" -> serve = Integer.parseInt(args[++i]);
          case "--steps" -> steps = Integer.parseInt(args[++i]);
          case "--idle" -> idle = Integer.parseInt(args[++i]);
          case "--window" -> window = Integer.parseInt(args[++i]);
          case "--samples" -> samples = Integer.parseInt(args[++i]);
          case "--fleet-jvms" -> jvms = Integer.parseInt(args[++i]);
          case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
          case "--proxy-xmx" -> proxyXmx = args[++i];
          case "--fleet-xmx" -> fleetXmx = args[++i];
          case "--extrapolate-to" -> extrapolateTo = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (agents < 1
          || serve < 1
          || steps < 1
          || steps > agents
          || idle < 1
          || window < 1
          || samples < 1
          || jvms < 1
          || jvms > agents
          || inFlight < 1) {
        throw new IllegalArgumentException(
            "agents, serve, steps, idle, window, samples, fleet-jvms and in-flight must be"
                + " positive; steps and fleet-jvms at most agents");
      }
      return new Options(
          agents,
          serve,
          steps,
          idle,
          window,
          samples,
          jvms,
          inFlight,
          proxyXmx,
          fleetXmx,
          extrapolateTo);
    }

    int agentsPerJvm() {
      return (agents + fleetJvms - 1) / fleetJvms;
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
      ProcStat.requireOpenFiles(options.agents(), "each proxy (one tunnel per agent)");
      ProcStat.requireOpenFiles(
          (long) options.agentsPerJvm() * PROXIES,
          "each of the "
              + options.fleetJvms()
              + " fleet JVMs ("
              + options.agentsPerJvm()
              + " agents × "
              + PROXIES
              + " tunnels; --fleet-jvms splits them further)");
    } catch (RuntimeException e) {
      System.err.println("tunnel-fleet: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("gatehouse-tunnel-fleet-");
    Thread cleanup =
        new Thread(
            () -> {
              ProxyProcess.destroyAll();
              deleteQuietly(work);
            },
            "tunnel-fleet-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    List<ProxyProcess> proxies = new ArrayList<>();
    try (EmbeddedKafka kafka =
        EmbeddedKafka.builder().dataDir(work.resolve("kafka")).build().start()) {
      TopicNames names = BenchKafka.ensureTopics(kafka.bootstrapServers());
      Path caDir = CaDir.ensure(work.resolve("ca"));
      List<Path> configs = new ArrayList<>();
      List<HostPort> addresses = new ArrayList<>();
      int cap = Math.max(10_000, options.agents() + 2_048);
      for (int p = 0; p < PROXIES; p++) {
        int port = Ports.free();
        configs.add(
            ProxyProcess.writeConfig(
                work.resolve("proxy-" + p),
                kafka.bootstrapServers(),
                "proxy-" + p,
                port,
                caDir,
                // Every agent dials from 127.0.0.1: the per-address cap (512) would refuse most.
                "limits: { max_connections: %d, max_connections_per_address: %d }"
                    .formatted(cap, cap)));
        addresses.add(HostPort.parse("127.0.0.1:" + port));
      }
      for (Path config : configs) {
        proxies.add(ProxyProcess.start(config, options.proxyXmx(), Duration.ofMinutes(2)));
      }
      new Run(options, names, proxies, configs, addresses, caDir).run();
    } finally {
      for (ProxyProcess p : proxies) {
        p.close();
      }
      ProxyProcess.destroyAll();
      FileTree.delete(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  /** One run's state: the proxies (the second replaced when restarted) and the fleet JVMs. */
  private static final class Run {
    private final Options options;
    private final TopicNames names;
    private final List<ProxyProcess> proxies;
    private final List<Path> configs;
    private final List<HostPort> addresses;
    private final Path caDir;
    private final List<TunnelFleetProcess> fleets = new ArrayList<>();
    private final List<Topic> topics = List.of(Topic.HEARTBEATS, Topic.TUNNELS, Topic.AGENTS);

    Run(
        Options options,
        TopicNames names,
        List<ProxyProcess> proxies,
        List<Path> configs,
        List<HostPort> addresses,
        Path caDir) {
      this.options = options;
      this.names = names;
      this.proxies = proxies;
      this.configs = configs;
      this.addresses = addresses;
      this.caDir = caDir;
    }

    void run() throws Exception {
      pause(SETTLE);
      List<JsonObject> levels = new ArrayList<>();
      levels.add(level(0, Duration.ofSeconds(options.idleSeconds())));
      JsonArray connects = new JsonArray();
      try {
        for (int j = 0; j < options.fleetJvms(); j++) {
          fleets.add(
              TunnelFleetProcess.start(
                  addresses,
                  caDir,
                  options.serve(),
                  j * options.agentsPerJvm(),
                  options.fleetXmx()));
        }
        int connected = 0;
        for (int step = 1; step <= options.steps(); step++) {
          JsonObject connect = connect(step);
          connects.add(connect);
          connected += connect.getInteger("agents");
          pause(SETTLE);
          boolean last = step == options.steps();
          levels.add(
              level(
                  connected,
                  Duration.ofSeconds(last ? options.windowSeconds() : options.idleSeconds())));
        }
        JsonObject status = fleetStatus();
        print(status.copy().put("scenario", "tunnel-fleet-status"));
        JsonObject convergence = convergence();
        JsonObject restart = restart();
        print(summary(levels, connects, status, convergence, restart));
      } finally {
        for (TunnelFleetProcess f : fleets) {
          f.close();
        }
      }
    }

    /**
     * Step {@code step} of the connect: every fleet JVM at once opens its share, so that after the
     * last step each holds its {@link Options#agentsPerJvm} (the last JVM the rest).
     */
    private JsonObject connect(int step) throws Exception {
      double[] cpu0 = proxyCpu();
      TopicTraffic before = TopicTraffic.read(names, topics);
      List<CompletableFuture<JsonObject>> opened = new ArrayList<>();
      int agents = 0;
      int total = 0;
      for (int j = 0; j < fleets.size(); j++) {
        int size = Math.min(options.agentsPerJvm(), options.agents() - j * options.agentsPerJvm());
        int count =
            (int)
                ((long) size * step / options.steps() - (long) size * (step - 1) / options.steps());
        agents += count;
        total += (int) ((long) size * step / options.steps());
        TunnelFleetProcess fleet = fleets.get(j);
        opened.add(
            count <= 0
                ? CompletableFuture.completedFuture(new JsonObject().put("failed", 0))
                : CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return fleet.open(count, Duration.ofSeconds(120 + count / 5));
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }));
      }
      int to = total;
      long failed = 0;
      // The fleet JVMs dial at once: the step lasts as long as the slowest one's dials (its
      // agents' key generation and signing, timed apart, are not the proxies' work).
      double seconds = 0;
      for (CompletableFuture<JsonObject> o : opened) {
        JsonObject result = o.join();
        failed += result.getLong("failed");
        seconds = Math.max(seconds, result.getDouble("connectMillis", 0.0) / 1000);
      }
      if (failed > 0) {
        throw new IllegalStateException(failed + " tunnels did not come up: " + fleetStatus());
      }
      for (ProxyProcess p : proxies) {
        try {
          p.awaitAgentsAlive(to, Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
          throw new IllegalStateException(e.getMessage() + "; the fleet: " + fleetStatus(), e);
        }
      }
      double[] cpu = proxyCpu();
      int tunnels = agents * PROXIES;
      JsonObject connect =
          new JsonObject()
              .put("agents", agents)
              .put("connectedAgents", to)
              .put("tunnels", tunnels)
              .put("seconds", seconds)
              .put("tunnelsPerSec", tunnels / seconds)
              .put("proxyCpuMillisPerTunnel", (sum(cpu) - sum(cpu0)) * 1000 / tunnels)
              // What the proxies wrote as the agents joined: presence and first heartbeats.
              .put("kafka", TopicTraffic.read(names, topics).since(before));
      print(connect.copy().put("scenario", "tunnel-fleet-connect"));
      return connect;
    }

    /**
     * Both proxies with {@code agents} connected over one window, what was written to Kafka over
     * it, and the fleet JVMs' CPU and RSS.
     */
    private JsonObject level(int agents, Duration window) throws Exception {
      TopicTraffic before = TopicTraffic.read(names, topics);
      long redials0 = fleets.isEmpty() ? 0 : fleetStatus().getLong("redials");
      double fleetCpu0 = fleetCpu();
      long t0 = System.nanoTime();
      List<JsonObject> byProxy = ProxyLevel.measure(proxies, agents, window);
      double fleetCpu = (fleetCpu() - fleetCpu0) / ((System.nanoTime() - t0) / 1e9);
      JsonObject traffic = TopicTraffic.read(names, topics).since(before);
      long fleetRss = 0;
      for (TunnelFleetProcess f : fleets) {
        fleetRss += f.rssBytes();
      }
      JsonObject level =
          new JsonObject()
              .put("agents", agents)
              .put("windowSeconds", window.toSeconds())
              .put("proxies", new JsonArray(new ArrayList<>(byProxy)))
              .put("kafka", traffic)
              .put("fleetCpuSecondsPerSecond", fleetCpu)
              // Tunnels found dead while idle: the machine could not keep up with the pings.
              .put(
                  "redialsInWindow",
                  fleets.isEmpty() ? 0 : fleetStatus().getLong("redials") - redials0)
              .put("fleetRssBytes", fleetRss);
      print(level.copy().put("scenario", "tunnel-fleet-level"));
      return level;
    }

    /**
     * New resources to routable on both proxies: the time from asking an agent to serve one more
     * app to its heartbeat's event on each proxy, each sample then checked routable on both.
     */
    private JsonObject convergence() throws Exception {
      int warmUp = Math.max(5, options.samples() / 10);
      Random random = new Random();
      String run = Long.toHexString(System.nanoTime());
      long[][] latency = new long[PROXIES + 1][options.samples()];
      int routable = 0;
      List<HeartbeatEvents> events = new ArrayList<>();
      try {
        for (ProxyProcess p : proxies) {
          events.add(new HeartbeatEvents(p));
        }
        for (int i = 0; i < warmUp + options.samples(); i++) {
          int agent = random.nextInt(options.agents());
          String name = "conv-" + run + "-" + i;
          String key = Keys.heartbeat("app", name, "fleet-agent-" + agent);
          long sent = System.nanoTime();
          JsonObject served = fleets.get(agent / options.agentsPerJvm()).serve(agent, name);
          if (served.getInteger("streams") != PROXIES) {
            throw new IllegalStateException("agent " + agent + " has not both tunnels: " + served);
          }
          long slowest = 0;
          for (int p = 0; p < PROXIES; p++) {
            Long at = events.get(p).awaitArrival(key, sent + SAMPLE_TIMEOUT.toNanos());
            long nanos = at == null ? Long.MAX_VALUE : at - sent;
            slowest = Math.max(slowest, nanos);
            if (i >= warmUp) {
              latency[p][i - warmUp] = nanos;
            }
          }
          boolean healthy = true;
          for (ProxyProcess p : proxies) {
            healthy &= healthyAgents(p, name) >= 1;
          }
          if (i >= warmUp) {
            latency[PROXIES][i - warmUp] = slowest;
            routable += healthy ? 1 : 0;
          }
          // A few milliseconds apart, so samples do not fall into step with the consumers' polls.
          LockSupport.parkNanos(random.nextLong(2_000_000, 10_000_000));
        }
      } finally {
        events.forEach(HeartbeatEvents::close);
      }
      JsonObject out =
          new JsonObject()
              .put("samples", options.samples())
              .put("warmUpSamples", warmUp)
              .put("routableOnBoth", routable);
      JsonArray byProxy = new JsonArray();
      for (int p = 0; p <= PROXIES; p++) {
        JsonObject q =
            new JsonObject()
                .put("p50Millis", millis(latency[p], 0.5))
                .put("p99Millis", millis(latency[p], 0.99))
                .put("maxMillis", millis(latency[p], 1.0));
        if (p < PROXIES) {
          byProxy.add(q);
        } else {
          out.put("both", q);
        }
      }
      out.put("byProxy", byProxy);
      print(out.copy().put("scenario", "tunnel-fleet-convergence"));
      return out;
    }

    /**
     * Kills the second proxy and starts it again on its port and data; waits until it shows every
     * agent alive.
     */
    private JsonObject restart() throws Exception {
      int victim = PROXIES - 1;
      for (TunnelFleetProcess f : fleets) {
        f.mark();
      }
      TopicTraffic before = TopicTraffic.read(names, topics);
      double otherCpu0 = ProcStat.cpuSeconds(proxies.get(0).pid());
      long killed = System.nanoTime();
      proxies.get(victim).kill();
      ProxyProcess restarted =
          ProxyProcess.start(configs.get(victim), options.proxyXmx(), Duration.ofMinutes(5));
      proxies.set(victim, restarted);
      double ready = (System.nanoTime() - killed) / 1e9;
      // The restarted proxy's view, polled: agents alive over time, until all are back.
      JsonArray alive = new JsonArray();
      long deadline = killed + Duration.ofMinutes(15).toNanos();
      double back = Double.NaN;
      while (System.nanoTime() < deadline) {
        double n = restarted.agentsAlive();
        double at = (System.nanoTime() - killed) / 1e9;
        alive.add(new JsonArray().add(Math.round(at * 10) / 10.0).add((long) n));
        if (n >= options.agents()) {
          back = at;
          break;
        }
        TimeUnit.MILLISECONDS.sleep(200); // a poll interval, not a wait for a condition
      }
      double cpu = ProcStat.cpuSeconds(restarted.pid());
      double otherCpu = ProcStat.cpuSeconds(proxies.get(0).pid()) - otherCpu0;
      JsonObject traffic = TopicTraffic.read(names, topics).since(before);
      long[] up = new long[0];
      long[] failed = new long[0];
      long[] busy = new long[0];
      long otherRedials = 0;
      for (TunnelFleetProcess f : fleets) {
        JsonArray byProxy = f.reconnects().getJsonArray("byProxy");
        up = concat(up, byProxy.getJsonObject(victim).getJsonArray("up"));
        failed = concat(failed, byProxy.getJsonObject(victim).getJsonArray("failed"));
        busy = concat(busy, byProxy.getJsonObject(victim).getJsonArray("busy"));
        for (int p = 0; p < victim; p++) {
          otherRedials += byProxy.getJsonObject(p).getJsonArray("up").size();
        }
      }
      JsonObject out =
          new JsonObject()
              .put("agents", options.agents())
              .put("killToReadySeconds", ready)
              .put("killToAllBackSeconds", back)
              .put("restartedProxyCpuSeconds", cpu)
              .put("otherProxyCpuSeconds", otherCpu)
              .put("reconnected", up.length)
              .put("failedDials", failed.length)
              .put("busyDials", busy.length)
              .put("shedByProxy", restarted.metric("gatehouse_proxy_tunnel_handshakes_shed_total"))
              .put("tunnelsRedialedToOtherProxy", otherRedials)
              .put("bucketMillis", BUCKET_MILLIS)
              .put("reconnectsByBucket", histogram(up))
              .put("failedDialsByBucket", histogram(failed))
              .put("busyDialsByBucket", histogram(busy))
              .put("aliveOverTime", alive)
              .put("kafka", traffic);
      if (up.length > 0) {
        Arrays.sort(up);
        out.put("firstReconnectSeconds", up[0] / 1e3)
            .put("p50ReconnectSeconds", Stats.percentile(up.clone(), 0.5) / 1e3)
            .put("p99ReconnectSeconds", Stats.percentile(up.clone(), 0.99) / 1e3)
            .put("lastReconnectSeconds", up[up.length - 1] / 1e3);
      }
      print(out.copy().put("scenario", "tunnel-fleet-restart"));
      if (Double.isNaN(back)) {
        throw new IllegalStateException(
            "the restarted proxy did not see every agent back within 15 minutes: " + out);
      }
      return out;
    }

    private JsonObject summary(
        List<JsonObject> levels,
        JsonArray connects,
        JsonObject status,
        JsonObject convergence,
        JsonObject restart) {
      JsonObject zero = levels.get(0);
      JsonObject all = levels.get(levels.size() - 1);
      JsonArray perAgent = new JsonArray();
      for (int p = 0; p < PROXIES; p++) {
        perAgent.add(
            ProxyLevel.perAgent(
                zero.getJsonArray("proxies").getJsonObject(p),
                all.getJsonArray("proxies").getJsonObject(p)));
      }
      double seconds = 0;
      long tunnels = 0;
      double cpuMillis = 0;
      for (Object o : connects) {
        JsonObject c = (JsonObject) o;
        seconds += c.getDouble("seconds");
        tunnels += c.getLong("tunnels");
        cpuMillis += c.getDouble("proxyCpuMillisPerTunnel") * c.getLong("tunnels");
      }
      return new JsonObject()
          .put("extrapolation", extrapolate(zero, all, perAgent, restart))
          .put("scenario", "tunnel-fleet")
          .put("agents", options.agents())
          .put("resourcesPerAgent", options.serve())
          .put("fleetJvms", options.fleetJvms())
          .put("inFlight", options.inFlight())
          .put("proxyXmx", options.proxyXmx())
          .put("levels", new JsonArray(new ArrayList<>(levels)))
          .put("perAgentByProxy", perAgent)
          .put(
              "connect",
              new JsonObject()
                  .put("tunnels", tunnels)
                  .put("seconds", seconds)
                  .put("tunnelsPerSec", tunnels / seconds)
                  .put("proxyCpuMillisPerTunnel", cpuMillis / tunnels)
                  .put("steps", connects))
          .put("fleetStatus", status)
          .put("convergence", convergence)
          .put("restart", restart);
    }

    /**
     * The figures at {@code --extrapolate-to} agents, each linear in the agents from what was
     * measured: per proxy, the level at no agents plus that many times the slope to all; the
     * fleet's Kafka bytes and the restarted proxy's CPU per agent times that many.
     */
    private JsonObject extrapolate(
        JsonObject zero, JsonObject all, JsonArray perAgent, JsonObject restart) {
      int to = options.extrapolateTo();
      int n = options.agents();
      JsonArray byProxy = new JsonArray();
      for (int p = 0; p < PROXIES; p++) {
        JsonObject z = zero.getJsonArray("proxies").getJsonObject(p);
        JsonObject per = perAgent.getJsonObject(p);
        byProxy.add(
            new JsonObject()
                .put(
                    "heapUsedBytes",
                    z.getLong("heapUsedBytes") + to * per.getDouble("heapUsedBytes"))
                .put("rssBytes", z.getLong("rssBytes") + to * per.getDouble("rssBytes"))
                .put(
                    "idleCpuCores",
                    z.getDouble("idleCpuSecondsPerSecond")
                        + to * per.getDouble("idleCpuSecondsPerSecond")));
      }
      JsonObject heartbeats = all.getJsonObject("kafka").getJsonObject(names.of(Topic.HEARTBEATS));
      return new JsonObject()
          .put("agents", to)
          .put("proxies", byProxy)
          .put("fleetIdleCpuCores", all.getDouble("fleetCpuSecondsPerSecond") / n * to)
          .put("heartbeatBytesPerSec", heartbeats.getDouble("bytesPerSec") / n * to)
          .put("restartedProxyCpuSeconds", restart.getDouble("restartedProxyCpuSeconds") / n * to);
    }

    private JsonObject fleetStatus() throws IOException, InterruptedException {
      long tunnels = 0;
      long redials = 0;
      long[] writers = new long[PROXIES];
      for (TunnelFleetProcess f : fleets) {
        JsonObject s = f.status();
        tunnels += s.getLong("tunnels");
        redials += s.getLong("redials");
        for (int p = 0; p < PROXIES; p++) {
          writers[p] += s.getJsonArray("writers").getLong(p);
        }
      }
      return new JsonObject()
          .put("tunnels", tunnels)
          .put("redials", redials)
          .put("writersByProxy", new JsonArray(Arrays.stream(writers).boxed().toList()));
    }

    private double[] proxyCpu() throws IOException {
      double[] cpu = new double[proxies.size()];
      for (int p = 0; p < cpu.length; p++) {
        cpu[p] = ProcStat.cpuSeconds(proxies.get(p).pid());
      }
      return cpu;
    }

    private double fleetCpu() throws IOException {
      double cpu = 0;
      for (TunnelFleetProcess f : fleets) {
        cpu += ProcStat.cpuSeconds(f.pid());
      }
      return cpu;
    }
  }

  private static int healthyAgents(ProxyProcess proxy, String app)
      throws IOException, InterruptedException {
    var response = proxy.app(app);
    return response.statusCode() == 200
        ? new JsonObject(response.body()).getInteger("healthyAgents", 0)
        : 0;
  }

  /** Counts of {@code millis} per {@link #BUCKET_MILLIS} from 0 to the last. */
  private static JsonArray histogram(long[] millis) {
    long last = Arrays.stream(millis).max().orElse(-1);
    long[] buckets = new long[(int) (last / BUCKET_MILLIS) + 1];
    for (long m : millis) {
      buckets[(int) (m / BUCKET_MILLIS)]++;
    }
    return new JsonArray(Arrays.stream(buckets).boxed().toList());
  }

  private static long[] concat(long[] a, JsonArray b) {
    long[] out = Arrays.copyOf(a, a.length + b.size());
    for (int i = 0; i < b.size(); i++) {
      out[a.length + i] = b.getLong(i);
    }
    return out;
  }

  private static Double millis(long[] nanos, double quantile) {
    long n = Stats.percentile(nanos.clone(), quantile);
    return n == Long.MAX_VALUE ? null : n / 1e6;
  }

  private static double sum(double[] values) {
    return Arrays.stream(values).sum();
  }

  private static void pause(Duration d) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(d.toMillis());
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (Exception e) {
      // best effort on the way out
    }
  }

  private static void print(JsonObject line) {
    System.out.println(line.encode());
    System.out.flush();
  }
}
