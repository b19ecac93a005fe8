package io.gatehouse.bench.suite;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.relay.client.TunnelClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code benchmarks.jar suite [--quick] --gatehouse-jar JAR --out DIR [--only a,b] [--keep]
 * [--tunnel-agents N] [--tunnel-serve R] [--fleet-agents N]}: starts nginx, the TCP upstreams,
 * Gatehouse (broker, proxy, two agents) and the HAProxy chain on loopback, runs the data-path
 * scenarios (http, tcp, sessions, failover), the control plane at scale (fleet) and the proxy's
 * memory per connected agent (tunnels: N simulated agents, default 2,000, each writing R serve
 * lines) and the agents' target health checks (health: their CPU for 1,000 resources, and how fast
 * a target that goes down leaves every proxy's rotation), and, only when asked for, fleet scale
 * over tunnels (tunnel-fleet: N simulated agents, default 10,000, with 10 apps and a tunnel to each
 * of two proxies, and one proxy restarted under them); stops everything, prints one table per
 * scenario and writes {@code DIR/latest.json} and {@code DIR/latest.txt}; a full pass of every
 * scenario also writes {@code DIR/full.json} and {@code DIR/full.txt}, the figures
 * docs/benchmarks.md quotes. {@code --keep} leaves the work directory (every process's
 * configuration and log) in place.
 */
public final class Suite {
  private static final List<String> ALL =
      List.of("http", "sessions", "tcp", "failover", "fleet", "tunnels", "health");

  /** Not in a full pass: it needs 10,000 agents' sockets and every core for about 15 minutes. */
  private static final String TUNNEL_FLEET = "tunnel-fleet";

  private static final Set<String> OWN_PROCESSES =
      Set.of("fleet", "tunnels", "health", TUNNEL_FLEET);

  private Suite() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    boolean keep = false;
    Path gatehouseJar = Path.of("modules/cli/target/gatehouse.jar");
    Path out = Path.of("bench/results");
    Set<String> only = Set.copyOf(ALL);
    int tunnelAgents = 2_000;
    int tunnelServe = 0;
    int fleetAgents = 10_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--gatehouse-jar" -> gatehouseJar = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--only" -> only = Set.of(args[++i].split(","));
        case "--keep" -> keep = true;
        case "--tunnel-agents" -> tunnelAgents = Integer.parseInt(args[++i]);
        case "--tunnel-serve" -> tunnelServe = Integer.parseInt(args[++i]);
        case "--fleet-agents" -> fleetAgents = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: benchmarks.jar suite [--quick] [--gatehouse-jar JAR] [--out DIR] [--only "
                  + String.join(",", ALL)
                  + ","
                  + TUNNEL_FLEET
                  + "] [--keep] [--tunnel-agents N] [--tunnel-serve R] [--fleet-agents N]");
          System.exit(2);
        }
      }
    }
    Settings settings = quick ? Settings.fast() : Settings.full();
    JsonObject machine = Machine.describe(quick);
    System.out.println("machine: " + Machine.summary(machine));
    Path work = Files.createTempDirectory("gatehouse-suite-");
    // nginx's workers run as an unprivileged user and must read the files it serves.
    Files.setPosixFilePermissions(
        work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    if (!keep) {
      // Ctrl-C: stop every child first (the lock waits for Children's own hook), then remove the
      // files.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    Children.stopAll();
                    try {
                      FileTree.delete(work);
                    } catch (IOException e) {
                      System.err.println("could not remove " + work + ": " + e);
                    }
                  },
                  "bench-work-dir"));
    }
    List<Table> tables = new ArrayList<>();
    try {
      if (only.stream().anyMatch(s -> !OWN_PROCESSES.contains(s))) {
        dataPath(work, new Launcher(gatehouseJar), settings, only, tables);
      }
      if (only.contains("fleet")) {
        for (Table t : new ControlPlaneScenario(new Launcher(gatehouseJar), work, settings).run()) {
          tables.add(print(t));
        }
      }
      if (only.contains("health")) {
        for (Table t : HealthBench.suite(new Launcher(gatehouseJar), work, quick)) {
          tables.add(print(t));
        }
      }
      if (only.contains("tunnels")) {
        for (Table t :
            new TunnelScenario(
                    new Launcher(gatehouseJar), work, settings, tunnelAgents, tunnelServe)
                .run()) {
          tables.add(print(t));
        }
      }
      if (only.contains(TUNNEL_FLEET)) {
        for (Table t :
            new TunnelFleetScenario(new Launcher(gatehouseJar), work, settings, fleetAgents)
                .run()) {
          tables.add(print(t));
        }
      }
    } catch (Exception e) {
      // Keep what was measured: the tables so far are written, with the failure in the machine
      // block.
      machine.put("failure", e.toString());
      write(out, "latest", machine, tables);
      throw e;
    } finally {
      Children.stopAll();
      if (keep) {
        System.out.println("work directory (configs, logs) kept: " + work);
      } else {
        FileTree.delete(work);
      }
    }
    write(out, "latest", machine, tables);
    if (!quick && only.containsAll(ALL)) {
      write(out, "full", machine, tables); // the pass docs/benchmarks.md quotes; committed
    }
  }

  private static void dataPath(
      Path work, Launcher launcher, Settings settings, Set<String> only, List<Table> tables)
      throws Exception {
    int nginxPort = Ports.free();
    Child nginx = Upstreams.nginx(work, nginxPort);
    try (TcpUpstream upstream = new TcpUpstream();
        GatehouseChain gatehouse =
            GatehouseChain.start(
                work, launcher, nginxPort, upstream.sinkPort(), upstream.echoPort());
        HaproxyChain haproxy =
            HaproxyChain.start(
                work, gatehouse.ca(), nginxPort, upstream.sinkPort(), upstream.echoPort())) {
      Hop nginxTier = Hop.of("upstream", nginx);
      List<Target> targets =
          List.of(
              new Target("direct", nginxPort, "127.0.0.1", null, List.of(nginxTier)),
              new Target(
                  "gatehouse",
                  gatehouse.proxyPort,
                  GatehouseChain.APP_HOST,
                  gatehouse.tls(),
                  List.of(
                      Hop.of("proxy", gatehouse.proxy),
                      new Hop("agent", gatehouse.agents),
                      nginxTier,
                      Hop.of("broker", gatehouse.broker)),
                  List.of("Gatehouse-Authorization: Bearer " + gatehouse.credential())),
              new Target(
                  "haproxy",
                  haproxy.httpPort,
                  "127.0.0.1",
                  haproxy.tls(),
                  List.of(
                      Hop.of("proxy", haproxy.proxy),
                      new Hop("agent", haproxy.agents),
                      nginxTier)));
      HttpScenario http = new HttpScenario(targets, settings);
      http.warmUp("/small");
      if (only.contains("http")) {
        tables.add(
            print(http.keepAlive("http-1k", "HTTP data path: keep-alive GET of 1 KiB", "/small")));
        tables.add(
            print(http.keepAlive("http-64k", "HTTP data path: keep-alive GET of 64 KiB", "/64k")));
      }
      if (only.contains("sessions")) {
        tables.add(
            print(
                http.newSessions(
                    "new-sessions",
                    "New-session cost: no cookie, new connection per request",
                    "/small")));
      }
      if (only.contains("tcp")) {
        HostPort proxy = HostPort.parse("127.0.0.1:" + gatehouse.proxyPort);
        List<TcpScenario.Path> paths =
            List.of(
                new TcpScenario.Path(
                    "direct",
                    r -> socket(r.equals("sink") ? upstream.sinkPort() : upstream.echoPort()),
                    List.of()),
                new TcpScenario.Path(
                    "gatehouse",
                    r ->
                        TunnelClient.open(
                            proxy,
                            gatehouse.tls(),
                            ResourceKind.DB,
                            r,
                            gatehouse.credential(),
                            Duration.ofSeconds(10)),
                    List.of(Hop.of("proxy", gatehouse.proxy), new Hop("agent", gatehouse.agents))),
                new TcpScenario.Path(
                    "haproxy",
                    r ->
                        tlsSocket(
                            r.equals("sink") ? haproxy.sinkPort : haproxy.echoPort, haproxy.tls()),
                    List.of(Hop.of("proxy", haproxy.proxy), new Hop("agent", haproxy.agents))));
        tables.add(print(new TcpScenario(paths, settings).run()));
      }
      if (only.contains("failover")) {
        tables.add(print(new FailoverScenario(gatehouse, settings).run()));
      }
    } finally {
      nginx.close();
    }
  }

  private static Socket socket(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setTcpNoDelay(true);
    return s;
  }

  private static Socket tlsSocket(int port, javax.net.ssl.SSLContext tls) throws IOException {
    Socket s = RawHttp.connect(port, tls);
    s.setTcpNoDelay(true);
    return s;
  }

  private static Table print(Table t) {
    System.out.println();
    System.out.print(t.render());
    System.out.flush();
    return t;
  }

  private static void write(Path out, String name, JsonObject machine, List<Table> tables)
      throws IOException {
    Files.createDirectories(out);
    JsonArray scenarios = new JsonArray();
    StringBuilder text = new StringBuilder("machine: " + Machine.summary(machine) + "\n");
    for (Table t : tables) {
      scenarios.add(t.json());
      text.append('\n').append(t.render());
    }
    Files.writeString(
        out.resolve(name + ".json"),
        new JsonObject().put("machine", machine).put("scenarios", scenarios).encodePrettily()
            + "\n");
    Files.writeString(out.resolve(name + ".txt"), text.toString());
    System.out.println(
        "\nresults: " + out.resolve(name + ".json") + ", " + out.resolve(name + ".txt"));
  }
}
