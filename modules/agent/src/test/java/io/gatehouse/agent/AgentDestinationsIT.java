package io.gatehouse.agent;

import static io.gatehouse.agent.TestProxy.WAIT;
import static io.gatehouse.agent.TestProxy.await;
import static io.gatehouse.agent.TestProxy.sessionHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.TestProxy.Session;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.relay.Wire;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where dynamic resources may point, end to end: a real agent on a tunnel to a {@link TestProxy}
 * that streams it definitions, and a real HTTP server on loopback standing in for a loopback-only
 * admin service (THREATS.md row 6). A definition pointing at it is not served unless the matching
 * watcher lists it; a definition by a name that resolves to loopback only when dialed is served and
 * then refused at dial time, before anything is dialed. The agent resolves {@code rebind.example}
 * to 127.0.0.1 through its hosts seam, so no DNS is needed.
 */
class AgentDestinationsIT {
  private static final String AGENT = "agent-destinations";

  @TempDir static Path dir;

  private static Vertx vertx;
  private static HttpServer admin;
  private static final AtomicInteger adminRequests = new AtomicInteger();
  private static final AtomicReference<String> lastHost = new AtomicReference<>();
  private static SimpleMeterRegistry registry;
  private static TestProxy proxy;
  private static Agent agent;

  @BeforeAll
  static void startAdminServiceProxyAndAgent() {
    vertx = Vertx.vertx();
    admin =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      adminRequests.incrementAndGet();
                      lastHost.set(req.getHeader("Host"));
                      req.response().end("the admin secret");
                    })
                .listen(0, "127.0.0.1"));
    proxy = TestProxy.start(dir.resolve("ca"));
    String yaml =
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
        app_service:
          # The test counts what sessions send to the admin service: no checks beside them.
          health_check: { enabled: false }
          resources:
            - labels: { case: open }
            - labels: { case: listed }
              destinations: [ "127.0.0.1:%d" ]
            - labels: { case: by-name }
              destinations: [ "*.example" ]
            - labels: { case: name-and-address }
              destinations: [ "*.example", "127.0.0.1:%d" ]
        db_service:
          resources:
            - labels: { case: by-name }
              destinations: [ "*.example" ]
        """
            .formatted(
                AGENT,
                proxy.address(),
                proxy.provision(AGENT, dir.resolve("agent")),
                admin.actualPort(),
                admin.actualPort());
    registry = new SimpleMeterRegistry();
    agent =
        Agent.builder(AgentConfig.parse(yaml, "destinations.yaml"))
            .meterRegistry(registry)
            .hosts("127.0.0.1 localhost\n127.0.0.1 rebind.example\n")
            .start();
    Eventually.within(WAIT).until(() -> !proxy.controlLines(AGENT, "watch").isEmpty());
  }

  @AfterAll
  static void stopAll() {
    if (agent != null) {
      // No proxy here writes heartbeats, so a graceful stop would only wait for a goodbye.
      agent.kill();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static void define(String kind, String name, String label, String uri) {
    ResourceDefinition d =
        ResourceDefinition.newBuilder()
            .setKind(kind)
            .setName(name)
            .setLabels(Map.of("case", label))
            .setSpec(new ResourceSpec(uri, null))
            .setUpdatedAt(Instant.now())
            .setUpdatedBy("test")
            .build();
    String avro = Base64.getEncoder().encodeToString(EventCodec.RESOURCE_DEFINITION.encode(d));
    proxy.control(
        AGENT,
        new JsonObject()
            .put(
                "definition",
                new JsonObject().put("key", Keys.resource(kind, name)).put("avro", avro)));
  }

  private static List<String> served() {
    return proxy.controlLines(AGENT, "serve").stream()
        .map(l -> l.getJsonObject("serve"))
        .map(s -> s.getString("kind") + "/" + s.getString("name"))
        .toList();
  }

  private static Session get(String resource) {
    return proxy.send(AGENT, HttpMethod.GET, "/", sessionHeaders(resource));
  }

  private static double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void aDynamicAppPointingAtLoopbackIsNotServedUnlessItsWatcherListsIt() {
    String loopback = "http://127.0.0.1:" + admin.actualPort();
    define("app", "admin-open", "open", loopback);
    define("app", "admin-listed", "listed", loopback);

    Eventually.within(WAIT).until(() -> served().contains("app/admin-listed"));
    assertThat(served())
        .as("definitions are handled in order: the refused one was never heartbeated")
        .doesNotContain("app/admin-open");
    assertThat(counter("gatehouse.agent.resources.refused", "reason", "loopback")).isEqualTo(1.0);
    assertThat(agent.served()).extracting(ServedResource::key).contains("app/admin-listed");

    int before = adminRequests.get();
    Session refused = get("app/admin-open");
    assertThat(refused.status()).isEqualTo(421);
    assertThat(adminRequests.get()).as("nothing reached the admin service").isEqualTo(before);

    Session listed = get("app/admin-listed");
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body()).isEqualTo("the admin secret");
    assertThat(adminRequests.get()).isEqualTo(before + 1);
  }

  @Test
  void aNameThatResolvesToLoopbackWhenDialedIsRefusedThenAndNothingIsDialed() {
    define("app", "rebound", "by-name", "http://rebind.example:" + admin.actualPort());
    define("db", "rebound-db", "by-name", "rebind.example:" + admin.actualPort());
    Eventually.within(WAIT)
        .until(() -> served().containsAll(List.of("app/rebound", "db/rebound-db")));

    int before = adminRequests.get();
    Session http = get("app/rebound");
    assertThat(http.status()).isEqualTo(502);
    assertThat(http.header(Wire.ERROR)).isEqualTo("upstream-refused");
    assertThat(http.body())
        .contains(
            "agent " + AGENT + ": app/rebound: upstream http://rebind.example:",
            "not dialed: rebind.example resolved to 127.0.0.1, a loopback address; refused unless"
                + " app_service.resources[2].destinations names it",
            "[loopback]");

    Session tcp = proxy.openTcp(AGENT, "db/rebound-db");
    assertThat(tcp.status()).isEqualTo(502);
    assertThat(tcp.header(Wire.ERROR)).isEqualTo("upstream-refused");
    assertThat(tcp.body()).contains("db_service.resources[0].destinations");

    assertThat(adminRequests.get()).as("nothing reached the admin service").isEqualTo(before);
    assertThat(
            counter(
                "gatehouse.agent.upstream.dial.failures", "kind", "app", "reason", "destination"))
        .isEqualTo(1.0);
    assertThat(
            counter(
                "gatehouse.agent.upstream.dial.failures", "kind", "db", "reason", "destination"))
        .isEqualTo(1.0);
  }

  @Test
  void aNameListedWithTheAddressItResolvesToIsDialedThereUnderItsOwnName() {
    define("app", "named", "name-and-address", "http://rebind.example:" + admin.actualPort());
    Eventually.within(WAIT).until(() -> served().contains("app/named"));

    int before = adminRequests.get();
    Session named = get("app/named");
    assertThat(named.status()).isEqualTo(200);
    assertThat(named.body()).isEqualTo("the admin secret");
    assertThat(adminRequests.get()).isEqualTo(before + 1);
    assertThat(lastHost.get())
        .as("dialed at the checked address, still named as the resource names it")
        .isEqualTo("rebind.example:" + admin.actualPort());
  }
}
