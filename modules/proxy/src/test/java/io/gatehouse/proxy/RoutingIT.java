package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Selection, pinning and failover against a real broker, real agents and a real upstream: two
 * proxies share one broker; each test gets its own app and agents so that killing agents in one
 * test does not disturb another. The broker outage runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HttpServer upstream;
  private static HostPort proxyA;
  private static HostPort proxyB;

  @BeforeAll
  static void start() {
    upstream =
        web.upstream(
            req -> req.response().putHeader("X-Upstream", "yes").end("hello " + req.path()));
    proxyA = cluster.proxy("proxy-a").webAddress();
    proxyB = cluster.proxy("proxy-b").webAddress();
    for (String id : List.of("demo-1", "demo-2", "demo-3")) {
      cluster.app(id, "demo", upstream.actualPort());
    }
    cluster.awaitHealthy(proxyA, "app", "demo", 3);
    cluster.awaitHealthy(proxyB, "app", "demo", 3);
    // Sessions spread at random only among agents of the same target health.
    cluster.awaitTargetsHealthy(proxyA, "app", "demo", 3);
    cluster.awaitTargetsHealthy(proxyB, "app", "demo", 3);
  }

  @Test
  @Order(1)
  void newSessionsSpreadOverAllAgentsAndStayOnTheirAgent() {
    Map<String, String> agentOfSession = new HashMap<>();
    Map<String, Integer> perAgent = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      Web.Response r = web.app(proxyA, "demo", "/page/" + i, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello /page/" + i);
      String session = r.sessionCookie();
      assertThat(session).matches("[0-9a-f]{32}");
      assertThat(r.headers().allValues("Set-Cookie").get(0))
          .contains("HttpOnly")
          .containsIgnoringCase("SameSite=Lax")
          .contains("Path=/");
      agentOfSession.put(session, r.agent());
      perAgent.merge(r.agent(), 1, Integer::sum);
    }
    assertThat(agentOfSession).hasSize(300);
    assertThat(perAgent).containsOnlyKeys("demo-1", "demo-2", "demo-3");
    assertThat(perAgent.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(45));

    for (int round = 0; round < 2; round++) {
      agentOfSession.forEach(
          (session, agent) -> {
            Web.Response r = web.app(proxyA, "demo", "/again", session);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.agent()).as("agent of session %s", session).isEqualTo(agent);
            assertThat(r.sessionCookie()).isNull();
          });
    }
  }

  @Test
  @Order(2)
  void sessionStartedOnProxyAContinuesOnProxyBWithTheSameAgent() {
    Web.Response first = web.app(proxyA, "demo", "/", null);
    String session = first.sessionCookie();
    String agent = first.agent();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        web.get(proxyB, "/v1/sessions").array().stream()
                            .map(o -> ((JsonObject) o).getString("session")))
                    .contains(SessionKeys.shortId(cluster.sessionKey(session))));
    for (int i = 0; i < 10; i++) {
      Web.Response r = web.app(proxyB, "demo", "/on-b", session);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.agent()).isEqualTo(agent);
      assertThat(r.sessionCookie()).isNull();
    }
  }

  @Test
  @Order(3)
  void agentKilledWithoutGoodbyeFailsNoNewSession() {
    List<Agent> agents = new ArrayList<>();
    for (String id : List.of("kill-1", "kill-2", "kill-3")) {
      agents.add(cluster.app(id, "kill", upstream.actualPort()));
    }
    cluster.awaitHealthy(proxyA, "app", "kill", 3);
    Agent victim = agents.get(0);
    victim.kill();
    // Its beat is still fresh: only the failed dial can tell the proxy it is gone.
    Map<String, Integer> perAgent = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      Web.Response r = web.app(proxyA, "kill", "/", null);
      assertThat(r.status()).as("session %d: %s", i, r.body()).isEqualTo(200);
      perAgent.merge(r.agent(), 1, Integer::sum);
    }
    assertThat(perAgent).containsOnlyKeys("kill-2", "kill-3");
    JsonObject victimView =
        web.get(proxyA, "/v1/agents").array().stream()
            .map(JsonObject.class::cast)
            .filter(a -> a.getString("agent").equals("kill-1"))
            .findFirst()
            .orElseThrow();
    assertThat(victimView.getBoolean("healthy")).isFalse();
  }

  @Test
  @Order(4)
  void gracefullyStoppedAgentIsDroppedWithinOneSecond() {
    Agent leaving = cluster.app("grace-1", "grace", upstream.actualPort());
    cluster.app("grace-2", "grace", upstream.actualPort());
    cluster.awaitHealthy(proxyA, "app", "grace", 2);
    leaving.close();
    long stopped = System.nanoTime();
    Eventually.within(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(
                        web.get(proxyA, "/v1/resources/app/grace").json().getInteger("totalAgents"))
                    .isEqualTo(1));
    assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(1));
    for (int i = 0; i < 20; i++) {
      assertThat(web.app(proxyA, "grace", "/", null).agent()).isEqualTo("grace-2");
    }
  }

  @Test
  @Order(5)
  void httpSessionWhoseAgentDiesContinuesOnAnotherAgentAndTheRepinIsAudited() {
    Map<String, Agent> agents = new HashMap<>();
    for (String id : List.of("repin-1", "repin-2")) {
      agents.put(id, cluster.app(id, "repin", upstream.actualPort()));
    }
    cluster.awaitHealthy(proxyA, "app", "repin", 2);
    Web.Response first = web.app(proxyA, "repin", "/", null);
    String session = first.sessionCookie();
    String before = first.agent();
    String after = before.equals("repin-1") ? "repin-2" : "repin-1";
    agents.get(before).kill();

    Web.Response next = web.app(proxyA, "repin", "/after", session);
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("hello /after");
    assertThat(next.agent()).isEqualTo(after);
    assertThat(next.sessionCookie()).as("the session keeps its cookie").isNull();
    assertThat(web.app(proxyA, "repin", "/again", session).agent()).isEqualTo(after);

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              List<AuditEvent> repins = cluster.audit("session.repin", cluster.sessionKey(session));
              assertThat(repins).hasSize(1);
              AuditEvent e = repins.get(0);
              assertThat(e.getAgentId()).isEqualTo(after);
              assertThat(e.getDetails()).containsEntry("from", before);
              assertThat(e.getDetails().get("reason")).startsWith("agent " + before + " ");
              assertThat(e.getProxyId()).isEqualTo("proxy-a");
              assertThat(e.getOutcome()).isEqualTo("ok");
              assertThat(cluster.audit("session.start", cluster.sessionKey(session))).hasSize(1);
            });
  }

  @Test
  @Order(100)
  void brokerStoppedBothProxiesKeepRoutingNewSessionsToLiveAgents() {
    cluster.app("outage-1", "outage", upstream.actualPort());
    cluster.app("outage-2", "outage", upstream.actualPort());
    cluster.awaitHealthy(proxyA, "app", "outage", 2);
    cluster.awaitHealthy(proxyB, "app", "outage", 2);
    cluster.kafka().broker().stop();
    try {
      // Keep opening sessions for longer than a beat's TTL (3 s): nothing may expire meanwhile.
      long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
      Set<String> served = new java.util.HashSet<>();
      int sessions = 0;
      while (System.nanoTime() < end) {
        for (HostPort proxy : List.of(proxyA, proxyB)) {
          Web.Response r = web.app(proxy, "outage", "/", null);
          assertThat(r.status())
              .as("session %d via %s: %s", sessions, proxy, r.body())
              .isEqualTo(200);
          served.add(r.agent());
          sessions++;
        }
      }
      assertThat(served).containsExactlyInAnyOrder("outage-1", "outage-2");
      assertThat(sessions).isGreaterThan(20);
      Set<String> stillHealthy =
          web.get(proxyA, "/v1/resources/app/outage").json().getJsonArray("agents").stream()
              .map(JsonObject.class::cast)
              .filter(a -> a.getBoolean("healthy"))
              .map(a -> a.getString("agent"))
              .collect(Collectors.toSet());
      assertThat(stillHealthy).containsExactlyInAnyOrder("outage-1", "outage-2");
    } finally {
      cluster.kafka().broker().start();
    }
  }
}
