package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.PrometheusText;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's and the agents' {@code /metrics} parse as the Prometheus text format, and the named
 * meters move when real traffic flows: HTTP requests with bodies and a TCP tunnel through a proxy
 * and two agents to real upstreams, and a request to an upstream that refuses connections.
 */
class MetricsIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();
  private static final String BODY = "metrics ".repeat(2_000);

  private static HostPort proxy;
  private static List<Agent> agents;

  @BeforeAll
  static void start() throws Exception {
    HttpServer http =
        web.upstream(
            req -> {
              if (req.path().equals("/upload")) {
                req.response().setChunked(true);
                req.pipeTo(req.response());
              } else {
                req.response().end("hello");
              }
            });
    NetServer echo =
        Web.await(
            web.vertx().createNetServer().connectHandler(s -> s.pipeTo(s)).listen(0, "127.0.0.1"));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String services =
        """
        app_service:
          apps:
            - { name: web, uri: "http://127.0.0.1:%d" }
            - { name: dead, uri: "http://127.0.0.1:%d" }
        db_service:
          databases: [ { name: echo, protocol: echo, uri: "127.0.0.1:%d" } ]
        """
            .formatted(http.actualPort(), closedPort, echo.actualPort());
    proxy = cluster.proxy("proxy-metrics").webAddress();
    agents = List.of(cluster.agent("metrics-1", services), cluster.agent("metrics-2", services));
    cluster.awaitHealthy(proxy, "app", "web", 2);
  }

  @Test
  void proxyMetersMoveWithHttpAndTunnelTraffic() throws Exception {
    PrometheusText before = web.metrics(proxy);

    String session = web.app(proxy, "web", "/", null).sessionCookie();
    web.app(proxy, "web", "/", null);
    Web.Response echoed =
        web.request(
            HttpMethod.POST, proxy, "web.localhost", "/upload", session, "text/plain", BODY);
    assertThat(echoed.body()).isEqualTo(BODY);
    try (Socket tunnel =
        TunnelClient.open(proxy, web.tls(), ResourceKind.DB, "echo", web.bearer(), Web.TIMEOUT)) {
      byte[] sent = "ping through the tunnel".getBytes(StandardCharsets.US_ASCII);
      tunnel.getOutputStream().write(sent);
      tunnel.setSoTimeout((int) Web.TIMEOUT.toMillis());
      assertThat(tunnel.getInputStream().readNBytes(sent.length)).isEqualTo(sent);

      Eventually.within(WAIT)
          .untilAsserted(
              () -> {
                PrometheusText now = web.metrics(proxy);
                assertThat(moved(before, now, "gatehouse_sessions_started_total", Map.of()))
                    .as("sessions started")
                    .isGreaterThanOrEqualTo(3);
                assertThat(moved(before, now, "gatehouse_dial_attempts_total", Map.of()))
                    .as("dial attempts")
                    .isGreaterThanOrEqualTo(4);
                assertThat(moved(before, now, "gatehouse_selection_seconds_count", Map.of()))
                    .as("selections")
                    .isGreaterThanOrEqualTo(4);
                assertRelayed(
                    before, now, "http", "upstream", BODY.length(), "HTTP bytes to agents");
                assertRelayed(
                    before, now, "http", "downstream", BODY.length(), "HTTP bytes from agents");
                assertRelayed(
                    before,
                    now,
                    "tunnel",
                    "upstream",
                    sent.length,
                    "tunnel bytes to agents, counted while the tunnel is open");
                assertRelayed(
                    before, now, "tunnel", "downstream", sent.length, "tunnel bytes from agents");
                assertThat(
                        moved(
                            before,
                            now,
                            "gatehouse_materializer_records_total",
                            Map.of("topic", "sessions")))
                    .as("pins read back from gatehouse.sessions")
                    .isGreaterThanOrEqualTo(3);
                assertThat(now.sum("gatehouse_sessions_active"))
                    .as("sessions active")
                    .isGreaterThanOrEqualTo(3);
                assertThat(now.sum("gatehouse_agents_alive")).as("agents alive").isEqualTo(2);
                assertThat(
                        now.sum("gatehouse_resources", Map.of("kind", "app", "health", "healthy")))
                    .as("healthy apps")
                    .isEqualTo(2);
                assertThat(
                        now.sum("gatehouse_resources", Map.of("kind", "db", "health", "healthy")))
                    .as("healthy databases")
                    .isEqualTo(1);
                assertThat(
                        now.sum(
                            "gatehouse_materializer_lag_records", Map.of("topic", "heartbeats")))
                    .as("heartbeats lag")
                    .isGreaterThanOrEqualTo(0);
                assertThat(now.sum("gatehouse_materializer_caught_up")).isEqualTo(1);
                assertThat(now.sum("gatehouse_state_size_bytes")).isGreaterThanOrEqualTo(0);
              });
    }
  }

  @Test
  void agentMetersMoveWithHeartbeatLinesRelayedBytesAndRefusedUpstreams() {
    List<PrometheusText> before =
        agents.stream().map(a -> web.metrics(a.metricsAddress().orElseThrow())).toList();

    Web.Response echoed =
        web.request(HttpMethod.POST, proxy, "web.localhost", "/upload", null, "text/plain", BODY);
    assertThat(echoed.status()).isEqualTo(200);
    Web.Response dead = web.app(proxy, "dead", "/", null);
    // Every agent's dial of the closed upstream was refused: the target is down.
    assertThat(dead.status()).isEqualTo(503);
    assertThat(dead.header("Gatehouse-Error")).isEqualTo("target-down");

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              List<PrometheusText> now =
                  agents.stream().map(a -> web.metrics(a.metricsAddress().orElseThrow())).toList();
              for (int i = 0; i < agents.size(); i++) {
                // Sent when the tunnel opened (what it serves, the writer), not periodically.
                assertThat(now.get(i).sum("gatehouse_agent_heartbeats_sent_total"))
                    .as("control lines of %s", agents.get(i).id())
                    .isGreaterThanOrEqualTo(2);
              }
              assertThat(
                      web.metrics(proxy)
                          .sum(
                              "gatehouse_proxy_heartbeats_written_total",
                              Map.of("record", "heartbeat")))
                  .as("heartbeats the proxy wrote for its agents")
                  .isGreaterThanOrEqualTo(agents.size());
              assertThat(
                      movedOnAll(
                          before,
                          now,
                          "gatehouse_agent_relayed_bytes_total",
                          Map.of("direction", "upstream")))
                  .as("bytes agents sent upstream")
                  .isGreaterThanOrEqualTo(BODY.length());
              assertThat(
                      movedOnAll(
                          before,
                          now,
                          "gatehouse_agent_relayed_bytes_total",
                          Map.of("direction", "downstream")))
                  .as("bytes agents sent back")
                  .isGreaterThanOrEqualTo(BODY.length());
              assertThat(
                      movedOnAll(
                          before,
                          now,
                          "gatehouse_agent_upstream_dial_failures_total",
                          Map.of("kind", "app", "reason", "refused")))
                  .as("refused upstream dials")
                  .isGreaterThanOrEqualTo(1);
            });
  }

  @Test
  void agentMetricsPortServesOnlyMetrics() {
    HostPort address = agents.get(0).metricsAddress().orElseThrow();
    assertThat(address.host()).isEqualTo("127.0.0.1");
    assertThat(web.get(address, "/").status()).isEqualTo(404);
    assertThat(web.api(HttpMethod.POST, address, "/metrics").status()).isEqualTo(405);
  }

  private static double moved(
      PrometheusText before, PrometheusText now, String sample, Map<String, String> labels) {
    return now.sum(sample, labels) - before.sum(sample, labels);
  }

  /**
   * {@code gatehouse_relayed_bytes_total} of one protocol and direction moved by at least so much.
   */
  private static void assertRelayed(
      PrometheusText before,
      PrometheusText now,
      String protocol,
      String direction,
      int atLeast,
      String description) {
    assertThat(
            moved(
                before,
                now,
                "gatehouse_relayed_bytes_total",
                Map.of("protocol", protocol, "direction", direction)))
        .as(description)
        .isGreaterThanOrEqualTo(atLeast);
  }

  private static double movedOnAll(
      List<PrometheusText> before,
      List<PrometheusText> now,
      String sample,
      Map<String, String> labels) {
    double moved = 0;
    for (int i = 0; i < now.size(); i++) {
      moved += moved(before.get(i), now.get(i), sample, labels);
    }
    return moved;
  }
}
