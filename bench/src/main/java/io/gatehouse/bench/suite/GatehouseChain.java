package io.gatehouse.bench.suite;

import io.gatehouse.bench.CaDir;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Gatehouse as it ships, one process per role so each hop's CPU is its own: an embedded KRaft
 * broker ({@link BrokerMain}), {@code gatehouse proxy -c} and two {@code gatehouse agent -c},
 * started from the CLI jar, each agent serving app {@code ngx} (nginx) and TCP resources {@code
 * db/sink} and {@code db/echo}. The proxy's port speaks TLS with a certificate from the run's
 * cluster CA ({@link CaDir}); each agent holds credentials from it and dials its mutual-TLS tunnel
 * to the proxy. {@link #tls()} is what clients trust the proxy by.
 */
final class GatehouseChain implements AutoCloseable {
  static final String APP_HOST = "ngx.localhost";

  final int proxyPort = Ports.free();
  final Child broker;
  final Child proxy;
  final List<Child> agents = new ArrayList<>();
  private final Path work;
  private final Launcher launcher;
  private final List<Path> agentConfigs = new ArrayList<>();
  private final ClusterCa ca;
  private final SSLContext tls;
  private final HttpClient http;
  private String credential;

  private GatehouseChain(Path work, Launcher launcher, int nginxPort, int sinkPort, int echoPort)
      throws IOException {
    this.work = work;
    this.launcher = launcher;
    int kafkaPort = Ports.free();
    String bootstrap = "127.0.0.1:" + kafkaPort;
    broker =
        Child.start(
            "broker",
            work,
            launcher.bench(
                BrokerMain.class, Integer.toString(kafkaPort), work.resolve("kafka").toString()));
    Waits.forLog(broker, "ready", Duration.ofSeconds(60));

    Path proxyConf = work.resolve("proxy.yaml");
    Path caDir = work.resolve("ca");
    ca = CaDir.load(caDir);
    tls = TlsContexts.trusting(ca.certificate());
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
    Files.writeString(
        proxyConf,
        String.join(
            "\n",
            "proxy:",
            "  id: bench-proxy",
            "  kafka: { bootstrap: \"" + bootstrap + "\" }",
            "  data_dir: " + work.resolve("proxy-data"),
            "  ca: { dir: \"" + caDir + "\" }",
            "  listen: \"127.0.0.1:" + proxyPort + "\"",
            "  public_host: localhost",
            extraProxySettings(),
            ""));
    proxy = Child.start("proxy", work, launcher.gatehouse("proxy", "-c", proxyConf.toString()));
    Waits.until(
        "the proxy to be ready",
        Duration.ofSeconds(60),
        () -> {
          proxy.requireAlive();
          return status("/readyz") == 200;
        });
    credential = BenchUser.login(work, launcher, proxyConf, http, proxyPort);

    for (int i = 1; i <= 2; i++) {
      Path conf = work.resolve("agent-" + i + ".yaml");
      Path dataDir = work.resolve("agent-" + i + "-data");
      CaDir.issueAgent(ca, "bench-agent-" + i, dataDir);
      Files.writeString(
          conf,
          String.join(
              "\n",
              "agent:",
              "  id: bench-agent-" + i,
              "  proxy: \"127.0.0.1:" + proxyPort + "\"",
              "  data_dir: \"" + dataDir + "\"",
              "app_service:",
              "  enabled: true",
              "  apps: [ { name: ngx, uri: \"http://127.0.0.1:" + nginxPort + "\" } ]",
              "db_service:",
              "  enabled: true",
              "  databases:",
              "    - { name: sink, uri: \"127.0.0.1:" + sinkPort + "\" }",
              "    - { name: echo, uri: \"127.0.0.1:" + echoPort + "\" }",
              ""));
      agentConfigs.add(conf);
      agents.add(null);
      startAgent(i - 1);
    }
  }

  static GatehouseChain start(
      Path work, Launcher launcher, int nginxPort, int sinkPort, int echoPort) throws IOException {
    return new GatehouseChain(work, launcher, nginxPort, sinkPort, echoPort);
  }

  /** Starts (or restarts) agent {@code index} and waits until the proxy can route to it. */
  void startAgent(int index) throws IOException {
    String id = "bench-agent-" + (index + 1);
    Child agent =
        Child.start(
            id + "-" + System.nanoTime() % 100_000,
            work,
            launcher.gatehouse("agent", "-c", agentConfigs.get(index).toString()));
    agents.set(index, agent);
    Waits.until(
        id + " to be routable for app/ngx, db/sink and db/echo",
        Duration.ofSeconds(60),
        () -> {
          agent.requireAlive();
          for (String r : List.of("app/ngx", "db/sink", "db/echo")) {
            JsonObject res = new JsonObject(get("/v1/resources/" + r).body());
            boolean served =
                res.getJsonArray("agents").stream()
                    .map(JsonObject.class::cast)
                    .anyMatch(a -> a.getString("agent").equals(id) && a.getBoolean("healthy"));
            if (!served) {
              return false;
            }
          }
          return true;
        });
  }

  /** TLS trusting the run's cluster CA: what users' clients of the proxy trust it by. */
  SSLContext tls() {
    return tls;
  }

  /** The run's cluster CA, which also issues the HAProxy chain's certificates. */
  ClusterCa ca() {
    return ca;
  }

  /** The bench user's credential: what every request to the proxy and its apps carries. */
  String credential() {
    return credential;
  }

  /** The proxy's view of the agents ({@code GET /v1/agents}). */
  JsonArray agentsView() throws IOException, InterruptedException {
    return new JsonArray(get("/v1/agents").body());
  }

  int status(String path) throws IOException, InterruptedException {
    return get(path).statusCode();
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxyPort + path))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + (credential == null ? "-" : credential))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    agents.forEach(
        a -> {
          if (a != null) {
            a.close();
          }
        });
    proxy.close();
    broker.close();
  }

  /**
   * Keys for the data path's proxy from {@code GATEHOUSE_BENCH_PROXY_SETTINGS}, one per line or
   * separated by {@code ;} (e.g. {@code event_loops: 2}), for experiments run side by side; none by
   * default, and every figure committed is of the defaults unless its table says otherwise.
   */
  private static String extraProxySettings() {
    String extra = System.getenv("GATEHOUSE_BENCH_PROXY_SETTINGS");
    if (extra == null || extra.isBlank()) {
      return "";
    }
    StringBuilder lines = new StringBuilder();
    for (String key : extra.split("[;\n]")) {
      if (!key.isBlank()) {
        lines.append("  ").append(key.strip()).append('\n');
      }
    }
    return lines.toString();
  }
}
