package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import io.gatehouse.testkit.PrometheusText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents as real OS processes ({@code gatehouse agent -c agent.yaml}) against real proxies, a real
 * broker, real TLS and a real upstream, crashed with {@code kill -9} and frozen with {@code kill
 * -STOP} as hosts fail: every proxy takes a failed agent out of rotation within the tunnel's
 * liveness bounds, new sessions never land on it, and agents find restarted and new proxies. Each
 * step measures its delay and prints it ({@code measured: ...}); the tests run in order, on one
 * cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentProcessIT {
  private static final String APP = "crash";
  private static final int SESSIONS = 50;

  /** Generous for what is not measured (process start, Kafka), as the build shares its cores. */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** A crashed process closes its sockets: the proxies see it at once. */
  private static final Duration CRASH_BOUND = Duration.ofSeconds(1);

  /**
   * A frozen agent stops sending its pings; each proxy closes the tunnel 3 s after the last one it
   * heard (so within 3 s of the freeze), plus scheduling on a shared machine.
   */
  private static final Duration FREEZE_BOUND = TunnelSettings.DEFAULTS.deadAfter().plusMillis(500);

  /** From a restarted proxy's port being up to every agent's tunnel to it. */
  private static final Duration RECONNECT_BOUND = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path dir;

  private static final Closer closer = new Closer();
  private static final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
  private static final Map<String, AgentProcess> agents = new ConcurrentHashMap<>();
  private static String prefix;
  private static Path caDir;
  private static Path caFile;
  private static ClusterCa ca;
  private static HttpClient api;
  private static String token;

  @BeforeAll
  static void cluster() throws Exception {
    prefix = kafka.uniquePrefix("crash").replaceAll("\\.$", "");
    caDir = dir.resolve("ca");
    ca = ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
    caFile = caDir.resolve(ClusterCa.CERT_FILE);
    api =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TlsContexts.trusting(ca.certificate()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    int upstream = upstream();
    Proxy first = startProxy("proxy-a", 0);
    // Users' requests go as an admin, known to every proxy (they read it from the topic).
    first
        .accounts()
        .put("admin", List.of("admin"), null, "test")
        .toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    Eventually.within(Duration.ofSeconds(30)).until(() -> first.accounts().knows("admin"));
    token = first.accounts().credential("admin", Duration.ofHours(1));
    startProxy("proxy-b", 0);
    HostPort seed = proxies.get("proxy-a").webAddress();
    for (String id : List.of("agent-1", "agent-2")) {
      writeAgent(id, seed, upstream);
      startAgent(id);
    }
  }

  @AfterAll
  static void stop() {
    // Agents (continued first when frozen), then proxies, then the upstream: reverse of start.
    agents.values().forEach(closer::register);
    closer.close(e -> new IllegalStateException("stopping the agent processes' cluster failed", e));
  }

  @Test
  @Order(1)
  void everyAgentConnectsToEveryProxyLearningTheSecondFromTheFirst() throws Exception {
    long start = System.nanoTime();
    awaitRotation(Set.of("agent-1", "agent-2"), proxies.values(), SETTLE);
    for (Proxy p : proxies.values()) {
      assertThat(tunnels(p)).as("tunnels to %s", p.id()).isEqualTo(2);
    }
    measured("both agents in rotation on both proxies", ms(start));
  }

  @Test
  @Order(2)
  void crashedAgentLeavesEveryProxysRotationAtOnceAndNoNewSessionFails() throws Exception {
    AgentProcess victim = agents.get("agent-1");
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      long killed = System.nanoTime();
      victim.crash();
      // Sessions start right away, while the proxies may not have noticed yet.
      CompletableFuture<Map<String, Outcome>> sessions =
          CompletableFuture.supplyAsync(() -> sessionsOnEveryProxy(), executor);
      Map<String, Long> out = timeUntil(killed, p -> !inRotation(p).contains(victim.id()));
      measured("kill -9 out of rotation (ms per proxy)", out);
      assertThat(out.values())
          .allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(bound(CRASH_BOUND)));
      assertNoFailures(sessions.get(60, TimeUnit.SECONDS), victim.id());
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  @Order(3)
  void restartedAgentIsBackInEveryProxysRotation() throws Exception {
    long start = System.nanoTime();
    startAgent("agent-1");
    awaitRotation(Set.of("agent-1", "agent-2"), proxies.values(), SETTLE);
    measured("restarted agent process back in rotation on both proxies", ms(start));
  }

  @Test
  @Order(4)
  void frozenAgentLeavesEveryProxysRotationWithinThreeMissedPingsAndNoNewSessionFails()
      throws Exception {
    AgentProcess frozen = agents.get("agent-2");
    long stopped = System.nanoTime();
    frozen.freeze();
    Map<String, Long> out = timeUntil(stopped, p -> !inRotation(p).contains(frozen.id()));
    measured("kill -STOP out of rotation (ms per proxy)", out);
    assertNoFailures(sessionsOnEveryProxy(), frozen.id());
    long continued = System.nanoTime();
    frozen.thaw();
    awaitRotation(Set.of("agent-1", "agent-2"), proxies.values(), SETTLE);
    measured("kill -CONT back in rotation on both proxies", ms(continued));
    assertThat(out.values())
        .allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(bound(FREEZE_BOUND)));
  }

  @Test
  @Order(5)
  void agentsReconnectToARestartedProxyAtOnce() throws Exception {
    Proxy old = proxies.get("proxy-b");
    int port = old.webAddress().port();
    long closing = System.nanoTime();
    old.close();
    long closed = System.nanoTime();
    Proxy restarted = startProxy("proxy-b", port);
    long up = System.nanoTime();
    measured("proxy-b down (close + start)", ms(closing));
    measured("proxy-b start", TimeUnit.NANOSECONDS.toMillis(up - closed));
    Map<String, Long> reconnected = timeUntil(up, List.of(restarted), p -> tunnels(p) == 2);
    measured("agents' tunnels back to restarted proxy-b (ms after it was up)", reconnected);
    awaitRotation(Set.of("agent-1", "agent-2"), List.of(restarted), SETTLE);
    measured("agents in restarted proxy-b's rotation (ms after it was up)", ms(up));
    assertThat(reconnected.get("proxy-b")).isLessThanOrEqualTo(bound(RECONNECT_BOUND));
  }

  @Test
  @Order(6)
  void everyAgentConnectsToANewProxy() throws Exception {
    long start = System.nanoTime();
    Proxy third = startProxy("proxy-c", 0);
    Map<String, Long> connected = timeUntil(start, List.of(third), p -> tunnels(p) == 2);
    awaitRotation(Set.of("agent-1", "agent-2"), List.of(third), SETTLE);
    measured("both agents' tunnels to new proxy-c (ms after its start began)", connected);
    measured("both agents in proxy-c's rotation", ms(start));
  }

  // ---- the cluster

  private static Proxy startProxy(String id, int port) {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: %s
              kafka: { bootstrap: "%s" }
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:%d"
              public_host: localhost
              topic_prefix: %s
            """
                .formatted(id, kafka.bootstrapServers(), dir.resolve(id), caDir, port, prefix),
            id + ".yaml");
    Proxy proxy = closer.register(Proxy.start(config));
    proxies.put(id, proxy);
    return proxy;
  }

  private static void writeAgent(String id, HostPort seed, int upstream) throws IOException {
    Path data = dir.resolve(id);
    AgentCredentials.issue(ca, id, Set.of("app"), Duration.ofHours(1), new SecureRandom())
        .write(data);
    Files.writeString(
        dir.resolve(id + ".yaml"),
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
          relay: { connect_timeout: 2s }
        app_service:
          apps:
            - { name: %s, uri: "http://127.0.0.1:%d" }
        """
            .formatted(id, seed, data, APP, upstream));
  }

  private static void startAgent(String id) throws IOException {
    agents.put(id, AgentProcess.start(id, dir.resolve(id + ".yaml"), dir.resolve(id + ".log")));
  }

  /** The app every agent serves: answers {@code hello}. */
  private static int upstream() throws IOException {
    ExecutorService threads =
        closer.register(Executors.newFixedThreadPool(4), ExecutorService::shutdownNow);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(threads);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    closer.register(server, s -> s.stop(0));
    return server.getAddress().getPort();
  }

  // ---- what the proxies say

  /** The agents {@code proxy} would send a new session of the app to. */
  private static Set<String> inRotation(Proxy proxy) throws Exception {
    HttpResponse<String> r = get(proxy, "/v1/resources/app/" + APP);
    if (r.statusCode() == 404) {
      return Set.of();
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Set<String> healthy = new HashSet<>();
    for (JsonNode a : JSON.readTree(r.body()).get("agents")) {
      if (a.get("healthy").asBoolean()) {
        healthy.add(a.get("agent").asText());
      }
    }
    return healthy;
  }

  /** How many agents have a tunnel to {@code proxy}. */
  private static int tunnels(Proxy proxy) throws Exception {
    HttpResponse<String> r = get(proxy, "/metrics");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return (int) PrometheusText.parse(r.body()).sum("gatehouse_agents_alive");
  }

  private static HttpResponse<String> get(Proxy proxy, String path) throws Exception {
    return api.send(
        HttpRequest.newBuilder(URI.create("https://" + proxy.webAddress() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitRotation(Set<String> expected, Collection<Proxy> on, Duration within) {
    Eventually.within(within)
        .untilAsserted(
            () -> {
              for (Proxy p : on) {
                assertThat(inRotation(p))
                    .as("agents in rotation on %s", p.id())
                    .isEqualTo(expected);
              }
            });
  }

  @FunctionalInterface
  private interface ProxyCheck {
    boolean test(Proxy proxy) throws Exception;
  }

  /** Polls every proxy until {@code check} holds on each; ms from {@code since} to each success. */
  private static Map<String, Long> timeUntil(long since, ProxyCheck check) {
    return timeUntil(since, List.copyOf(proxies.values()), check);
  }

  private static Map<String, Long> timeUntil(long since, Collection<Proxy> on, ProxyCheck check) {
    Map<String, Long> seen = new TreeMap<>();
    Eventually.within(SETTLE)
        .untilAsserted(
            () -> {
              for (Proxy p : on) {
                if (!seen.containsKey(p.id()) && check.test(p)) {
                  seen.put(p.id(), ms(since));
                }
              }
              assertThat(seen.keySet())
                  .containsExactlyInAnyOrderElementsOf(
                      on.stream().map(Proxy::id).collect(Collectors.toSet()));
            });
    return seen;
  }

  // ---- sessions

  /** What new sessions on one proxy came to: which agent took each, and every failure. */
  private record Outcome(Map<String, Integer> servedBy, List<String> failures) {}

  /** {@value #SESSIONS} new sessions on every proxy: each its own connection, with no cookie. */
  private static Map<String, Outcome> sessionsOnEveryProxy() {
    Map<String, Outcome> out = new TreeMap<>();
    for (Proxy p : List.copyOf(proxies.values())) {
      Map<String, Integer> servedBy = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        try {
          Curl.Response r =
              Curl.get("https://" + p.webAddress(), caFile, APP + ".localhost", "/", token);
          if (r.status() == 200 && r.body().equals("hello") && r.sessionCookie() != null) {
            servedBy.merge(agentOf(r), 1, Integer::sum);
          } else {
            failures.add(
                r.status() + " " + r.head().lines().findFirst().orElse("") + " " + r.body());
          }
        } catch (IOException e) {
          failures.add(e.toString());
        }
      }
      out.put(p.id(), new Outcome(servedBy, failures));
    }
    return out;
  }

  private static String agentOf(Curl.Response r) {
    for (String line : r.head().split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("gatehouse-agent:")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "(no Gatehouse-Agent header)";
  }

  private static void assertNoFailures(Map<String, Outcome> outcomes, String failedAgent) {
    outcomes.forEach(
        (proxy, o) -> {
          System.out.printf(
              "measured: %s: %d new sessions, %d failed, served by %s%n",
              proxy, SESSIONS, o.failures().size(), o.servedBy());
          assertThat(o.failures()).as("failed sessions on %s", proxy).isEmpty();
          assertThat(o.servedBy())
              .as("agents of new sessions on %s", proxy)
              .doesNotContainKey(failedAgent);
        });
    assertThat(outcomes).hasSize(proxies.size());
  }

  // ---- figures

  private static long ms(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  private static long bound(Duration d) {
    return d.toMillis();
  }

  private static void measured(String what, Object figure) {
    // The point of the test is its figures: they go to the build's output, next to the verdict.
    System.out.println("measured: " + what + ": " + figure + (figure instanceof Long ? " ms" : ""));
  }
}
