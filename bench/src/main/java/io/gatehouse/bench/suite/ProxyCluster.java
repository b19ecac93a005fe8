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
 * A Gatehouse cluster for the health scenarios, one process per role: an embedded KRaft broker
 * ({@link BrokerMain}) and {@code proxies} × {@code gatehouse proxy -c} from the CLI jar, sharing
 * one cluster CA and one broker, each on its own TLS port; agents ({@code gatehouse agent -c}) are
 * added with the services a scenario gives them, dial the first proxy and find the others on its
 * proxy list; {@link #close} stops them first. The API of every proxy is read as the suite's user
 * {@code bench}.
 */
final class ProxyCluster implements AutoCloseable {
  final Child broker;
  final List<Child> proxies = new ArrayList<>();
  private final List<Child> agents = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final Path work;
  private final Launcher launcher;
  private final ClusterCa ca;
  private final SSLContext tls;
  private final HttpClient http;
  private final String credential;

  ProxyCluster(Path work, Launcher launcher, int proxies) throws IOException {
    this.work = work;
    this.launcher = launcher;
    Files.createDirectories(work);
    int kafkaPort = Ports.free();
    broker =
        Child.start(
            "broker",
            work,
            launcher.bench(
                BrokerMain.class, Integer.toString(kafkaPort), work.resolve("kafka").toString()));
    Waits.forLog(broker, "ready", Duration.ofSeconds(60));
    Path caDir = work.resolve("ca");
    ca = CaDir.load(caDir);
    tls = TlsContexts.trusting(ca.certificate());
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
    Path firstConf = null;
    for (int i = 0; i < proxies; i++) {
      String id = "bench-proxy-" + (char) ('a' + i);
      int port = Ports.free();
      Path conf = work.resolve(id + ".yaml");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "proxy:",
              "  id: " + id,
              "  kafka: { bootstrap: \"127.0.0.1:" + kafkaPort + "\" }",
              "  data_dir: " + work.resolve(id + "-data"),
              "  ca: { dir: \"" + caDir + "\" }",
              "  listen: \"127.0.0.1:" + port + "\"",
              "  public_host: localhost",
              ""));
      firstConf = firstConf == null ? conf : firstConf;
      ports.add(port);
      this.proxies.add(Child.start(id, work, launcher.gatehouse("proxy", "-c", conf.toString())));
    }
    for (int i = 0; i < proxies; i++) {
      int index = i;
      Waits.until(
          this.proxies.get(i).name + " to be ready",
          Duration.ofSeconds(90),
          () -> {
            this.proxies.get(index).requireAlive();
            return get(index, "/readyz").statusCode() == 200;
          });
    }
    credential = BenchUser.login(work, launcher, firstConf, http, ports.get(0));
  }

  /**
   * Starts {@code gatehouse agent -c} as agent {@code id}, dialling the first proxy, with {@code
   * agentKeys} (indented lines) under {@code agent:} after id, proxy and data_dir, then {@code
   * services} (top-level YAML).
   */
  Child startAgent(String id, List<String> agentKeys, String services) throws IOException {
    Path conf = work.resolve(id + ".yaml");
    Path dataDir = work.resolve(id + "-data");
    CaDir.issueAgent(ca, id, dataDir);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  id: " + id,
                "  proxy: \"127.0.0.1:" + ports.get(0) + "\"",
                "  data_dir: \"" + dataDir + "\""));
    lines.addAll(agentKeys);
    Files.writeString(conf, String.join("\n", lines) + "\n" + services);
    Child agent = Child.start(id, work, launcher.gatehouse("agent", "-c", conf.toString()));
    agents.add(agent);
    return agent;
  }

  /** Waits until every proxy has a live tunnel from each of {@code agents}. */
  void awaitTunnels(List<String> agents, Duration timeout) {
    for (int i = 0; i < proxies.size(); i++) {
      int index = i;
      Waits.until(
          "tunnels of " + agents + " to " + proxies.get(i).name,
          timeout,
          () -> {
            proxies.get(index).requireAlive();
            JsonArray view = new JsonArray(get(index, "/v1/agents").body());
            return agents.stream()
                .allMatch(
                    id ->
                        view.stream()
                            .map(JsonObject.class::cast)
                            .anyMatch(
                                a -> id.equals(a.getString("agent")) && a.getBoolean("healthy")));
          });
    }
  }

  int proxyCount() {
    return proxies.size();
  }

  int port(int proxy) {
    return ports.get(proxy);
  }

  SSLContext tls() {
    return tls;
  }

  String credential() {
    return credential;
  }

  /** {@code GET path} on proxy {@code proxy}'s API as user {@code bench}. */
  HttpResponse<String> get(int proxy, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports.get(proxy) + path))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + (credential == null ? "-" : credential))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Stops the agents, then the proxies, then the broker. */
  @Override
  public void close() {
    agents.forEach(Child::close);
    for (int i = proxies.size() - 1; i >= 0; i--) {
      proxies.get(i).close();
    }
    broker.close();
  }
}
