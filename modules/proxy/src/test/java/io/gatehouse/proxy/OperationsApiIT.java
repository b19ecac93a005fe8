package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.auth.Authenticator;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What operators did on a proxy host with {@code -c proxy.yaml}, through the API of two proxies on
 * a real broker: locks ({@code /v1/locks}), agent join tokens ({@code /v1/tokens}) and a logout
 * that revokes its credential on every proxy ({@code POST /v1/logout}), each behind its role rule,
 * refusals and changes audited with the user.
 */
class OperationsApiIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static final String LOCKSMITH_ROLE =
      """
      {"kind": "role", "version": "v1", "metadata": {"name": "locksmith"},
       "spec": {"allow": {"rules": [{"resources": ["locks"],
                                     "verbs": ["list", "create", "delete"]}]}}}
      """;
  private static final String DEV_ROLE =
      """
      {"kind": "role", "version": "v1", "metadata": {"name": "dev"},
       "spec": {"allow": {"db_labels": {"*": "*"}}}}
      """;

  private static HostPort proxy;
  private static HostPort second;
  private static int upstream;

  @BeforeAll
  static void start() {
    proxy = cluster.proxy("proxy-ops-a").webAddress();
    second = cluster.proxy("proxy-ops-b").webAddress();
    upstream = web.upstream(r -> r.response().end("joined")).actualPort();
    int echo =
        Web.await(
                web.vertx()
                    .createNetServer()
                    .connectHandler(s -> s.pipeTo(s))
                    .listen(0, "127.0.0.1"))
            .actualPort();
    cluster.agent(
        "agent-ops",
        """
        db_service:
          databases:
            - { name: ops-db, protocol: postgres, uri: "127.0.0.1:%d" }
        """
            .formatted(echo));
    cluster.awaitReady(proxy);
    cluster.awaitReady(second);
    cluster.awaitHealthy(proxy, "db", "ops-db", 1);
    assertThat(web.post(proxy, "/v1/roles", "application/json", LOCKSMITH_ROLE).status())
        .isEqualTo(201);
    assertThat(web.post(proxy, "/v1/roles", "application/json", DEV_ROLE).status()).isEqualTo(201);
    user("carol", "locksmith");
    user("bob", "dev");
  }

  private static void user(String name, String role) {
    Web.Response r =
        web.post(
            proxy,
            "/v1/users",
            "application/json",
            new JsonObject()
                .put("name", name)
                .put("roles", new JsonArray().add(role))
                .put("password", name + "'s long password")
                .encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  private static Web.Response login(HostPort at, String user, boolean cookie) {
    return web.requestAs(
        null,
        HttpMethod.POST,
        at,
        at.toString(),
        "/v1/login",
        null,
        "application/json",
        new JsonObject()
            .put("user", user)
            .put("password", user + "'s long password")
            .put("cookie", cookie)
            .encode());
  }

  private static String token(String user) {
    Web.Response r = login(proxy, user, false);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getString("token");
  }

  private static Web.Response as(
      String token, HttpMethod method, HostPort at, String path, String body) {
    return web.requestAs(
        token,
        method,
        at,
        at.toString(),
        path,
        null,
        body == null ? null : "application/json",
        body);
  }

  private static Web.Response as(String token, HttpMethod method, String path, String body) {
    return as(token, method, proxy, path, body);
  }

  private static List<AuditEvent> audit(String type, String user) {
    return cluster.audit().stream()
        .filter(e -> e.getType().equals(type) && user.equals(e.getUser()))
        .toList();
  }

  @Test
  void anonymousCallersGet401OnLocksAndTokens() {
    int locksBefore = cluster.log(Topic.LOCKS).size();
    for (String[] call :
        new String[][] {
          {"GET", "/v1/locks", null},
          {"POST", "/v1/locks", "{\"target\": \"user/bob\"}"},
          {"PUT", "/v1/locks/user/bob", "{}"},
          {"DELETE", "/v1/locks/user/bob", null},
          {"GET", "/v1/tokens", null},
          {"POST", "/v1/tokens", "{\"kinds\": [\"app\"]}"},
          {"DELETE", "/v1/tokens/0123456789ab", null}
        }) {
      Web.Response r = as(null, HttpMethod.valueOf(call[0]), call[1], call[2]);
      assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(401);
      assertThat(r.json().getString("code")).isEqualTo("unauthenticated");
    }
    assertThat(cluster.log(Topic.LOCKS)).hasSize(locksBefore);
  }

  @Test
  void aUserWithoutTheRuleIs403AndTheRefusalIsAudited() {
    String bob = token("bob");
    assertThat(as(bob, HttpMethod.GET, "/v1/locks", null).status()).isEqualTo(403);
    assertThat(as(bob, HttpMethod.PUT, "/v1/locks/user/carol", "{}").status()).isEqualTo(403);
    Web.Response tokens = as(bob, HttpMethod.POST, "/v1/tokens", "{\"kinds\": [\"app\"]}");
    assertThat(tokens.status()).isEqualTo(403);
    assertThat(tokens.json().getString("error")).contains("no role of bob allows create tokens");
    // A locksmith has no say over tokens.
    assertThat(as(token("carol"), HttpMethod.GET, "/v1/tokens", null).status()).isEqualTo(403);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(audit("access.denied", "bob"))
                    .extracting(e -> e.getDetails().get("action"))
                    .contains("list locks", "create locks", "create tokens"));
    assertThat(cluster.records(Topic.LOCKS)).doesNotContainKey("user/carol");
  }

  @Test
  void aLocksmithLocksBobThroughTheApiEndingHisTunnelAndLockRmLetsHimBack() throws Exception {
    String carol = token("carol");
    String bob = token("bob");
    try (Socket tunnel =
        TunnelClient.open(
            proxy, web.tls(), ResourceKind.DB, "ops-db", bob, Duration.ofSeconds(5))) {
      tunnel.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = tunnel.getInputStream();
      assertThat(in.readNBytes(5)).asString().isEqualTo("ping\n");

      Instant locked = Instant.now();
      Web.Response lock =
          as(carol, HttpMethod.PUT, "/v1/locks/user/bob", "{\"reason\": \"on leave\"}");
      assertThat(lock.status()).as(lock.body()).isEqualTo(201);
      assertThat(lock.json().getString("createdBy")).isEqualTo("carol");
      // Answered once this proxy enforces it.
      Web.Response refused = as(bob, HttpMethod.GET, "/v1/whoami", null);
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.json().getString("error")).contains("user/bob is locked (on leave)");
      tunnel.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
      assertThat(in.read()).as("the tunnel is closed").isEqualTo(-1);
      assertThat(Duration.between(locked, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(as(bob, HttpMethod.GET, second, "/v1/whoami", null).status())
                    .isEqualTo(403));
    assertThat(login(proxy, "bob", false).status()).isEqualTo(403);
    JsonArray listed = as(carol, HttpMethod.GET, "/v1/locks", null).array();
    assertThat(listed.stream().map(o -> ((JsonObject) o).getString("target"))).contains("user/bob");

    Web.Response lift = as(carol, HttpMethod.DELETE, "/v1/locks/user/bob", null);
    assertThat(lift.status()).as(lift.body()).isEqualTo(204);
    assertThat(as(bob, HttpMethod.GET, "/v1/whoami", null).status()).isEqualTo(200);
    assertThat(as(carol, HttpMethod.DELETE, "/v1/locks/user/bob", null).status())
        .as("nothing left to lift")
        .isEqualTo(404);
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(audit("lock.create", "carol"))
                  .anySatisfy(
                      e -> {
                        assertThat(e.getDetails()).containsEntry("target", "user/bob");
                        assertThat(e.getDetails()).containsEntry("reason", "on leave");
                      });
              assertThat(audit("lock.delete", "carol"))
                  .anySatisfy(e -> assertThat(e.getDetails()).containsEntry("target", "user/bob"));
            });
  }

  @Test
  void badLockRequestsAre4xxWithAReasonAndWriteNothing() {
    String carol = token("carol");
    Web.Response kind =
        as(carol, HttpMethod.POST, "/v1/locks", "{\"target\": \"printer/hp\", \"reason\": \"x\"}");
    assertThat(kind.status()).isEqualTo(400);
    assertThat(kind.json().getString("error")).contains("agent/ID", "user/NAME");
    Web.Response name = as(carol, HttpMethod.PUT, "/v1/locks/agent/bad%20id", "{}");
    assertThat(name.status()).isEqualTo(400);
    assertThat(name.json().getString("error")).contains("invalid agent id");
    Web.Response self = as(carol, HttpMethod.PUT, "/v1/locks/user/carol", "{}");
    assertThat(self.status()).isEqualTo(400);
    assertThat(self.json().getString("error")).contains("cannot lock yourself");
    Web.Response form =
        web.requestAs(
            carol,
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/locks",
            null,
            "application/x-www-form-urlencoded",
            "target=user/bob");
    assertThat(form.status()).isEqualTo(415);
    Web.Response foreign =
        web.send(
            carol,
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/locks",
            null,
            "application/json",
            "{\"target\": \"user/bob\"}",
            Map.of("Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(cluster.records(Topic.LOCKS))
        .doesNotContainKeys("printer/hp", "agent/bad id", "user/carol");
  }

  @Test
  void tokensAreIssuedOnceListedWithoutTheirTextAndADeletedOneCannotJoin() throws Exception {
    Web.Response issued =
        as(
            web.bearer(),
            HttpMethod.POST,
            "/v1/tokens",
            "{\"kinds\": [\"app\"], \"ttl\": \"10m\", \"uses\": 2, \"description\": \"rack 7\"}");
    assertThat(issued.status()).as(issued.body()).isEqualTo(201);
    assertThat(issued.header("Cache-Control")).isEqualTo("no-store");
    String text = issued.json().getString("token");
    String id = issued.json().getString("id");
    assertThat(text).matches("gh-join-[0-9a-f]{64}");
    assertThat(issued.json().getString("ca_pin")).isEqualTo(cluster.ca().pin().toString());

    Web.Response listed = as(web.bearer(), HttpMethod.GET, "/v1/tokens", null);
    assertThat(listed.body()).doesNotContain(text).doesNotContain("\"token\"");
    assertThat(listed.array().stream().map(o -> (JsonObject) o))
        .anySatisfy(
            t -> {
              assertThat(t.getString("id")).isEqualTo(id);
              assertThat(t.getString("description")).isEqualTo("rack 7");
              assertThat(t.getInteger("max_uses")).isEqualTo(2);
              assertThat(t.getString("status")).isEqualTo("active");
              assertThat(t.getString("created_by")).isEqualTo(Cluster.ADMIN);
            });
    // The token is real: an agent joins with it and serves.
    AtomicReference<Agent> joined = new AtomicReference<>();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                joined.set(
                    cluster.joiningAgent(
                        "ops-joiner",
                        "a",
                        app("ops-joined"),
                        text,
                        cluster.ca().pin().toString())));
    cluster.awaitHealthy(proxy, "app", "ops-joined", 1);

    assertThat(as(web.bearer(), HttpMethod.DELETE, "/v1/tokens/" + id, null).status())
        .isEqualTo(204);
    assertThat(as(web.bearer(), HttpMethod.GET, "/v1/tokens", null).body()).doesNotContain(id);
    assertThat(as(web.bearer(), HttpMethod.DELETE, "/v1/tokens/" + id, null).status())
        .isEqualTo(404);
    assertThatThrownBy(
            () ->
                cluster.joiningAgent(
                    "ops-joiner-2", "a", app("ops-late"), text, cluster.ca().pin().toString()))
        .hasMessageContaining("unknown or removed");

    Web.Response bad =
        as(web.bearer(), HttpMethod.POST, "/v1/tokens", "{\"kinds\": [\"printer\"]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("error")).contains("printer");
    Web.Response long_ =
        as(web.bearer(), HttpMethod.POST, "/v1/tokens", "{\"kinds\": [\"app\"], \"ttl\": \"48h\"}");
    assertThat(long_.status()).isEqualTo(400);
    assertThat(long_.json().getString("error")).contains("out of range");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(audit("token.create", Cluster.ADMIN))
                  .anySatisfy(e -> assertThat(e.getDetails()).containsEntry("token", id));
              assertThat(audit("token.delete", Cluster.ADMIN))
                  .anySatisfy(e -> assertThat(e.getDetails()).containsEntry("token", id));
            });
    assertThat(cluster.audit().toString()).doesNotContain(text);
  }

  private String app(String name) {
    return "app_service:\n  apps:\n    - { name: %s, uri: \"http://127.0.0.1:%d\" }"
        .formatted(name, upstream);
  }

  @Test
  void aLogoutRevokesTheCredentialOnEveryProxyAndOnlyThatOne() {
    String kept = token("bob");
    String ended = token("bob");
    assertThat(as(ended, HttpMethod.GET, second, "/v1/whoami", null).status()).isEqualTo(200);

    Web.Response logout = as(ended, HttpMethod.POST, "/v1/logout", null);
    assertThat(logout.status()).as(logout.body()).isEqualTo(200);
    assertThat(logout.json().getString("revoked")).hasSize(32);

    Web.Response here = as(ended, HttpMethod.GET, "/v1/whoami", null);
    assertThat(here.status()).as("at once, on the proxy that answered").isEqualTo(401);
    assertThat(here.json().getString("error")).contains("revoked");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(as(ended, HttpMethod.GET, second, "/v1/whoami", null).status())
                    .isEqualTo(401));
    assertThat(as(kept, HttpMethod.GET, second, "/v1/whoami", null).status()).isEqualTo(200);
    assertThat(as(ended, HttpMethod.POST, "/v1/logout", null).status())
        .as("nothing left to revoke")
        .isEqualTo(204);
    assertThat(cluster.records(Topic.LOCKS).keySet().toString()).doesNotContain(ended);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(audit("user.logout", "bob"))
                    .anySatisfy(
                        e ->
                            assertThat(e.getDetails())
                                .containsEntry("credential", logout.json().getString("revoked"))));
  }

  @Test
  void theDashboardsLogoutRevokesItsCookie() {
    Web.Response login = login(proxy, "bob", true);
    String cookie = login.json().getString("token");
    Map<String, String> withCookie = Map.of("Cookie", Authenticator.COOKIE + "=" + cookie);
    Web.Response logout =
        web.send(
            null,
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/logout",
            null,
            "application/json",
            "{}",
            withCookie);
    assertThat(logout.status()).as(logout.body()).isEqualTo(200);
    assertThat(logout.header("Set-Cookie")).contains(Authenticator.COOKIE + "=;", "Max-Age=0");
    // A copy of the cookie kept anywhere is refused from now on.
    Web.Response after =
        web.send(
            null,
            HttpMethod.GET,
            proxy,
            proxy.toString(),
            "/v1/whoami",
            null,
            null,
            null,
            withCookie);
    assertThat(after.status()).isEqualTo(401);
    assertThat(as(null, HttpMethod.POST, "/v1/logout", null).status()).isEqualTo(204);
  }
}
