package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelException;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent keeps a lane to a proxy on each of the proxy's event loops, and every session stream
 * then runs on the user's own loop: a real agent, a real proxy on its default event loops, user
 * connections over TLS, each request on a connection of its own (so they land on every loop).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelLanesIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static Proxy proxy;
  private static int upstreamPort;

  @BeforeAll
  static void start() {
    HttpServer upstream = web.upstream(req -> req.response().end("lane ok"));
    upstreamPort = upstream.actualPort();
    proxy = cluster.proxy("proxy-lanes");
  }

  @Test
  @Order(1)
  void anAgentKeepsALanePerEventLoopAndNoSessionCrossesThreads() throws Exception {
    Agent agent = cluster.app("lanes-1", "lanes", upstreamPort);
    cluster.awaitHealthy(proxy.webAddress(), "app", "lanes", 1);
    int lanes = ProxyConfig.DEFAULT_TUNNEL_LANES;
    assertThat(lanes).as("event loops of the web port on this machine").isGreaterThan(1);
    Eventually.within(WAIT).until(() -> gauge(proxy.meterRegistry()) == lanes - 1);

    double sameBefore = streams(proxy.meterRegistry(), "same");
    double crossedBefore = streams(proxy.meterRegistry(), "crossed");
    int requests = 4 * lanes;
    for (int i = 0; i < requests; i++) {
      assertThat(getOnNewConnection(proxy.webAddress(), "lanes", "/n/" + i))
          .startsWith("HTTP/1.1 200");
    }
    assertThat(streams(proxy.meterRegistry(), "crossed") - crossedBefore)
        .as("session streams opened on another event loop than their user's")
        .isZero();
    assertThat(streams(proxy.meterRegistry(), "same") - sameBefore).isEqualTo(requests);

    // The main tunnel's end takes the lanes with it.
    agent.kill();
    Eventually.within(WAIT).until(() -> gauge(proxy.meterRegistry()) == 0);
  }

  @Test
  @Order(2)
  void aProxyAskingForOneConnectionGetsNoLaneAndStillServes() throws Exception {
    Proxy single = cluster.proxy("proxy-one-lane", "tunnel_lanes: 1");
    cluster.app("lanes-2", "single", upstreamPort);
    cluster.awaitHealthy(single.webAddress(), "app", "single", 1);
    cluster.awaitTargetsHealthy(single.webAddress(), "app", "single", 1);
    double crossedBefore = streams(single.meterRegistry(), "crossed");
    int requests = 4 * ProxyConfig.DEFAULT_TUNNEL_LANES;
    for (int i = 0; i < requests; i++) {
      assertThat(getOnNewConnection(single.webAddress(), "single", "/m/" + i))
          .startsWith("HTTP/1.1 200");
    }
    assertThat(gauge(single.meterRegistry())).isZero();
    // One connection serves users of every loop: some streams had to cross.
    assertThat(streams(single.meterRegistry(), "crossed") - crossedBefore).isPositive();
  }

  @Test
  @Order(3)
  void aLaneWithoutAMainTunnelIsRefused() {
    Vertx vertx = cluster.adopt(new VertxCloser(Vertx.vertx())).vertx;
    AgentCredentials credentials =
        AgentCredentials.issue(
            cluster.ca(), "lanes-alone", Set.of("app"), Duration.ofHours(1), new SecureRandom());
    TunnelDialer dialer =
        new TunnelDialer(
            ((VertxInternal) vertx).nettyEventLoopGroup(),
            ((VertxInternal) vertx).transport().channelFactory(false),
            credentials.clientContext(),
            TunnelSettings.DEFAULTS,
            Duration.ofSeconds(5));
    Throwable refused =
        catchThrowable(
            () ->
                dialer
                    .dialLane(proxy.webAddress(), "lanes-alone", c -> {}, ch -> ch.close())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertThat(refused).isInstanceOf(ExecutionException.class);
    assertThat(refused.getCause()).isInstanceOf(TunnelException.class);
    assertThat(((TunnelException) refused.getCause()).code()).isEqualTo("lane-refused");
    assertThat(refused.getCause()).hasMessageContaining("409").hasMessageContaining("lane-refused");
  }

  @Test
  @Order(4)
  void anAgentsConnectionsLeaveThePerAddressCapToUsers() throws Exception {
    // Two connections per address; the agent keeps one per event loop, all from loopback too.
    Proxy capped =
        cluster.proxy("proxy-lanes-capped", "limits: { max_connections_per_address: 2 }");
    cluster.app("lanes-3", "capped", upstreamPort);
    int lanes = ProxyConfig.DEFAULT_TUNNEL_LANES;
    cluster.awaitHealthy(capped.webAddress(), "app", "capped", 1);
    // Every agent connected there (this one, and the earlier test's) has all its lanes.
    Eventually.within(WAIT)
        .until(
            () -> {
              double alive = capped.meterRegistry().get("gatehouse.agents.alive").gauge().value();
              return alive >= 1 && gauge(capped.meterRegistry()) == alive * (lanes - 1);
            });
    for (int i = 0; i < 4; i++) {
      assertThat(getOnNewConnection(capped.webAddress(), "capped", "/c/" + i))
          .startsWith("HTTP/1.1 200");
    }
  }

  /** {@code GET path} of app {@code app} on a TLS connection of its own, closed after it. */
  private static String getOnNewConnection(HostPort proxy, String app, String path)
      throws Exception {
    return web.statusOnNewConnection(proxy, app + ".localhost", path, web.bearer());
  }

  private static double streams(MeterRegistry registry, String thread) {
    return registry.get("gatehouse.session.streams").tag("thread", thread).counter().count();
  }

  private static double gauge(MeterRegistry registry) {
    return registry.get("gatehouse.tunnel.lanes").gauge().value();
  }

  /** A Vert.x the cluster closes. */
  private record VertxCloser(Vertx vertx) implements AutoCloseable {
    @Override
    public void close() {
      Web.await(vertx.close());
    }
  }
}
