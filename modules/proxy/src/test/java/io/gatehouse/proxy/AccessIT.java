package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.access.Credentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Users and roles against a real broker, proxy and agent: no anonymous access but health, password
 * login with audit and throttling, a {@code dev} role that sees and opens exactly what it allows,
 * refusals audited, the write API hardened (media type, origin, silent overwrite), and a revoked
 * role or a lock ending open sessions at once.
 */
class AccessIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static final String DEV_ROLE =
      """
      {"kind": "role", "version": "v1", "metadata": {"name": "dev"},
       "spec": {"allow": {"app_labels": {"env": "dev"}, "db_labels": {"env": "dev"},
                          "rules": [{"resources": ["resources"], "verbs": ["list", "read"]}]},
                "deny": {"app_labels": {"team": "secret"}}}}
      """;

  private static HostPort proxy;
  private static String bob;

  @BeforeAll
  static void start() throws Exception {
    proxy = cluster.proxy("proxy-access").webAddress();
    // The apps answer with the identity assertion they were sent.
    int upstream =
        web.upstream(r -> r.response().end(String.valueOf(r.getHeader("Gatehouse-Jwt-Assertion"))))
            .actualPort();
    int echo =
        Web.await(
                web.vertx()
                    .createNetServer()
                    .connectHandler(s -> s.pipeTo(s))
                    .listen(0, "127.0.0.1"))
            .actualPort();
    cluster.agent(
        "agent-access",
        """
        app_service:
          apps:
            - { name: dev-app, uri: "http://127.0.0.1:%d", labels: { env: dev } }
            - { name: secret-app, uri: "http://127.0.0.1:%d", labels: { env: dev, team: secret } }
            - { name: prod-app, uri: "http://127.0.0.1:%d", labels: { env: prod } }
        db_service:
          databases:
            - { name: dev-db, protocol: postgres, uri: "127.0.0.1:%d", labels: { env: dev } }
        """
            .formatted(upstream, upstream, upstream, echo));
    cluster.awaitReady(proxy);
    cluster.awaitHealthy(proxy, "app", "prod-app", 1);
    cluster.awaitHealthy(proxy, "db", "dev-db", 1);
    assertThat(web.post(proxy, "/v1/roles", "application/json", DEV_ROLE).status()).isEqualTo(201);
    Web.Response created =
        web.post(
            proxy,
            "/v1/users",
            "application/json",
            "{\"name\": \"bob\", \"roles\": [\"dev\"], \"password\": \"correct horse battery\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.body()).doesNotContain("argon2");
    bob = token("bob", "correct horse battery");
  }

  private static Web.Response login(String user, String password) {
    return login(proxy, user, password);
  }

  /** A credential of {@code user}, by password login. */
  private static String token(String user, String password) {
    Web.Response r = login(user, password);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getString("token");
  }

  private static Web.Response login(HostPort at, String user, String password) {
    return web.requestAs(
        null,
        HttpMethod.POST,
        at,
        at.toString(),
        "/v1/login",
        null,
        "application/json",
        new JsonObject().put("user", user).put("password", password).encode());
  }

  private static Web.Response as(String token, HttpMethod method, String path) {
    return web.requestAs(token, method, proxy, proxy.toString(), path, null, null, null);
  }

  private static Web.Response app(String token, String app) {
    return web.requestAs(token, HttpMethod.GET, proxy, app + ".localhost", "/", null, null, null);
  }

  private static List<AuditEvent> audit(String type, String user) {
    return cluster.audit().stream()
        .filter(e -> e.getType().equals(type) && user.equals(e.getUser()))
        .toList();
  }

  @Test
  void anonymousCallersGet401EverywhereButHealthAndReadiness() {
    for (String path :
        List.of(
            "/v1/resources",
            "/v1/resources/app/dev-app",
            "/v1/agents",
            "/v1/sessions",
            "/v1/events",
            "/v1/users",
            "/v1/roles",
            "/v1/whoami",
            "/metrics")) {
      Web.Response r = as(null, HttpMethod.GET, path);
      assertThat(r.status()).as(path).isEqualTo(401);
      assertThat(r.json().getString("code")).as(path).isEqualTo("unauthenticated");
    }
    assertThat(
            web.requestAs(
                    null,
                    HttpMethod.POST,
                    proxy,
                    proxy.toString(),
                    "/v1/resources",
                    null,
                    "application/json",
                    "{}")
                .status())
        .isEqualTo(401);
    assertThat(app(null, "dev-app").status()).isEqualTo(401);
    Web.Response health = as(null, HttpMethod.GET, "/healthz");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.header("Strict-Transport-Security"))
        .isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(as(null, HttpMethod.GET, "/readyz").status()).isEqualTo(200);
  }

  @Test
  void aForgedOrExpiredCredentialIsRefused() throws Exception {
    Credentials otherKey = new Credentials(new byte[32], Clock.systemUTC());
    assertThat(
            as(
                    otherKey.issue("admin", List.of("admin"), Duration.ofHours(1), "password"),
                    HttpMethod.GET,
                    "/v1/resources")
                .status())
        .isEqualTo(401);
    byte[] key = ClusterSecret.read(cluster.caDir()).derive(ClusterSecret.Purpose.CREDENTIAL);
    Credentials yesterday =
        new Credentials(key, Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC));
    Web.Response expired =
        as(
            yesterday.issue("bob", List.of("dev"), Duration.ofHours(12), "password"),
            HttpMethod.GET,
            "/v1/resources");
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.json().getString("error")).contains("expired");
  }

  @Test
  void aLoginTellsInServerTimingHowLongItsPasswordHashTook() {
    Web.Response ok = login("bob", "correct horse battery");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("Server-Timing")).matches("hash;dur=[0-9]+\\.[0-9]");
    // argon2id with 19 MiB and two passes takes milliseconds, never less than a tenth of one.
    assertThat(hashMillis(ok)).isGreaterThan(0.1);
  }

  /** The {@code dur} of the {@code hash} metric of the answer's {@code Server-Timing} header. */
  private static double hashMillis(Web.Response r) {
    String header = r.header("Server-Timing");
    assertThat(header).as("Server-Timing").isNotNull();
    return io.gatehouse.proxy.auth.ServerTiming.duration(header, "hash").orElseThrow();
  }

  @Test
  void wrongPasswordIs401AndAuditedAndRepeatedFailuresAreThrottled() {
    // A proxy of its own: the failures throttle this test's address there, not the other tests'.
    HostPort guarded = cluster.proxy("proxy-throttle").webAddress();
    Web.Response wrong = login(guarded, "carol-unknown", "nope-nope-nope");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("nope-nope-nope");
    assertThat(hashMillis(wrong)).as("a failed login timed its (dummy) hash too").isPositive();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(audit("user.login", "carol-unknown"))
                    .anySatisfy(e -> assertThat(e.getOutcome()).isEqualTo("failed")));
    int status = 0;
    for (int i = 0; i < 6 && status != 429; i++) {
      status = login(guarded, "carol-unknown", "still-wrong-" + i).status();
    }
    assertThat(status).isEqualTo(429);
  }

  @Test
  void aDevUserListsAndOpensExactlyWhatTheRoleAllows() {
    JsonArray listed = as(bob, HttpMethod.GET, "/v1/resources").array();
    assertThat(
            listed.stream()
                .map(
                    o ->
                        ((JsonObject) o).getString("kind")
                            + "/"
                            + ((JsonObject) o).getString("name"))
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("app/dev-app", "db/dev-db");
    assertThat(app(bob, "dev-app").status()).isEqualTo(200);
    Web.Response secret = app(bob, "secret-app");
    assertThat(secret.status()).isEqualTo(403);
    assertThat(secret.header("Gatehouse-Error")).isEqualTo("access-denied");
    assertThat(secret.body()).contains("bob may not open app/secret-app", "team: secret");
    assertThat(app(bob, "prod-app").status()).isEqualTo(403);
    assertThat(as(bob, HttpMethod.GET, "/v1/resources/app/prod-app").status()).isEqualTo(403);
    assertThat(as(bob, HttpMethod.GET, "/v1/users").status()).isEqualTo(403);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(audit("access.denied", "bob"))
                    .anySatisfy(e -> assertThat(e.getName()).isEqualTo("secret-app")));
    // The session it opened names bob.
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("session.start");
                          assertThat(e.getName()).isEqualTo("dev-app");
                          assertThat(e.getUser()).isEqualTo("bob");
                        }));
  }

  @Test
  void theWriteApiRefusesFormsForeignOriginsAndSilentOverwrites() {
    String doc =
        "{\"kind\":\"app\",\"version\":\"v1\",\"metadata\":{\"name\":\"written\"},"
            + "\"spec\":{\"uri\":\"http://127.0.0.1:9\"}}";
    assertThat(web.post(proxy, "/v1/resources", "text/plain", doc).status()).isEqualTo(415);
    Web.Response huge =
        web.post(
            proxy, "/v1/resources", "application/json", "{\"x\":\"" + "y".repeat(100_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(huge.json().getString("code")).isEqualTo("too-large");
    Web.Response foreign =
        web.send(
            web.bearer(),
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/resources",
            null,
            "application/json",
            doc,
            java.util.Map.of("Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(web.post(proxy, "/v1/resources", "application/json", doc).status()).isEqualTo(201);
    assertThat(web.post(proxy, "/v1/resources", "application/json", doc).status()).isEqualTo(409);
    assertThat(
            web.requestAs(
                    web.bearer(),
                    HttpMethod.GET,
                    proxy,
                    "evil.example:" + proxy.port(),
                    "/v1/resources",
                    null,
                    null,
                    null)
                .status())
        .isEqualTo(421);
  }

  @Test
  void aRoleRevokedOrALockEndsOpenTunnelsAndHttpSessionsAtOnce() throws Exception {
    String role =
        """
        {"kind": "role", "version": "v1", "metadata": {"name": "db-only"},
         "spec": {"allow": {"db_labels": {"env": "dev"}, "app_labels": {"env": "dev"}}}}
        """;
    Web.Response roleCreated = web.post(proxy, "/v1/roles", "application/json", role);
    assertThat(roleCreated.status()).as(roleCreated.body()).isEqualTo(201);
    assertThat(
            web.post(
                    proxy,
                    "/v1/users",
                    "application/json",
                    "{\"name\": \"dana\", \"roles\": [\"db-only\"], \"password\": \"dana's long password\"}")
                .status())
        .isEqualTo(201);
    String dana = token("dana", "dana's long password");
    try (Socket tunnel =
        TunnelClient.open(
            proxy, web.tls(), ResourceKind.DB, "dev-db", dana, Duration.ofSeconds(5))) {
      OutputStream out = tunnel.getOutputStream();
      InputStream in = tunnel.getInputStream();
      out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
      assertThat(app(dana, "dev-app").status()).isEqualTo(200);

      Web.Response current = as(web.bearer(), HttpMethod.GET, "/v1/roles/db-only");
      String narrowed =
          """
          {"kind": "role", "version": "v1", "metadata": {"name": "db-only"}, "spec": {}}
          """;
      Web.Response replaced =
          web.requestAs(
              web.bearer(),
              HttpMethod.POST,
              proxy,
              proxy.toString(),
              "/v1/roles",
              null,
              "application/json",
              narrowed);
      assertThat(replaced.status()).as("no If-Match").isEqualTo(409);
      Instant revoked = Instant.now();
      Web.Response withRevision =
          web.send(
              web.bearer(),
              HttpMethod.POST,
              proxy,
              proxy.toString(),
              "/v1/roles",
              null,
              "application/json",
              narrowed,
              java.util.Map.of("If-Match", current.header("ETag")));
      assertThat(withRevision.status()).as(withRevision.body()).isEqualTo(200);
      tunnel.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
      assertThat(in.read()).as("the tunnel is closed").isEqualTo(-1);
      assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(2));
      assertThat(app(dana, "dev-app").status()).isEqualTo(403);
    }
  }

  @Test
  void anAppVerifiesTheUsersAssertionWithTheJwksAndAForgedOneNeverArrives() throws Exception {
    Web.Response answer =
        web.send(
            bob,
            HttpMethod.GET,
            proxy,
            "dev-app.localhost",
            "/",
            null,
            null,
            null,
            java.util.Map.of("Gatehouse-Jwt-Assertion", "forged.by.bob"));
    assertThat(answer.status()).isEqualTo(200);
    String assertion = answer.body();
    assertThat(assertion).isNotEqualTo("forged.by.bob").contains(".");

    // What an app does: the keys from the proxy (no credential needed), then a standard JWT check.
    Web.Response jwks = as(null, HttpMethod.GET, "/.well-known/jwks.json");
    assertThat(jwks.status()).isEqualTo(200);
    com.nimbusds.jwt.proc.ConfigurableJWTProcessor<com.nimbusds.jose.proc.SecurityContext> jwt =
        new com.nimbusds.jwt.proc.DefaultJWTProcessor<>();
    jwt.setJWSKeySelector(
        new com.nimbusds.jose.proc.JWSVerificationKeySelector<>(
            com.nimbusds.jose.JWSAlgorithm.ES256,
            new com.nimbusds.jose.jwk.source.ImmutableJWKSet<>(
                com.nimbusds.jose.jwk.JWKSet.parse(jwks.body()))));
    com.nimbusds.jwt.JWTClaimsSet claims = jwt.process(assertion, null);
    assertThat(claims.getSubject()).isEqualTo("bob");
    assertThat(claims.getAudience()).containsExactly("dev-app");
    assertThat(claims.getIssuer()).isEqualTo("gatehouse");
    assertThat(claims.getStringListClaim("roles")).containsExactly("dev");
    assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
    // The user's credential never reaches the app either.
    assertThat(assertion).doesNotContain(bob);
  }

  @Test
  void aLockedUserLosesAnOpenTunnelAtOnceAndIsRefusedAfter() throws Exception {
    assertThat(
            web.post(
                    proxy,
                    "/v1/users",
                    "application/json",
                    "{\"name\": \"erin\", \"roles\": [\"dev\"], \"password\": \"erin's long password\"}")
                .status())
        .isEqualTo(201);
    String erin = token("erin", "erin's long password");
    try (Socket tunnel =
        TunnelClient.open(
            proxy, web.tls(), ResourceKind.DB, "dev-db", erin, Duration.ofSeconds(5))) {
      tunnel.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(tunnel.getInputStream().readNBytes(5)).asString().isEqualTo("ping\n");

      Instant locked = Instant.now();
      cluster.write(
          io.gatehouse.events.topic.Topic.LOCKS,
          "user/erin",
          io.gatehouse.events.codec.EventCodec.LOCK.encode(
              io.gatehouse.events.Lock.newBuilder()
                  .setTarget("user/erin")
                  .setReason("left the company")
                  .setCreatedAt(locked)
                  .build()));
      tunnel.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
      assertThat(tunnel.getInputStream().read()).as("the tunnel is closed").isEqualTo(-1);
      assertThat(Duration.between(locked, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }
    Web.Response refused = app(erin, "dev-app");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).contains("user/erin is locked (left the company)");
    assertThat(login("erin", "erin's long password").status()).isEqualTo(403);
  }

  @Test
  void aBrowserIsSentThroughLoginAndComesBackWithACookieForThatAppOnly() throws Exception {
    String page = "text/html,application/xhtml+xml";
    String app = "dev-app.localhost:" + proxy.port();
    Web.Response sent =
        web.send(
            null,
            HttpMethod.GET,
            proxy,
            app,
            "/page?x=1",
            null,
            null,
            null,
            java.util.Map.of("Accept", page));
    assertThat(sent.status()).isEqualTo(302);
    java.net.URI start = java.net.URI.create(sent.header("Location"));
    assertThat(start.getHost()).isEqualTo("localhost");
    assertThat(start.getPath()).isEqualTo("/v1/login/app");

    Web.Response login =
        web.requestAs(
            null,
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/login",
            null,
            "application/json",
            new JsonObject()
                .put("user", "bob")
                .put("password", "correct horse battery")
                .put("cookie", true)
                .encode());
    String proxyCookie = cookie(login, "__Host-gatehouse");
    assertThat(login.header("Set-Cookie")).contains("Secure", "HttpOnly", "SameSite=Strict");

    Web.Response code =
        web.send(
            null,
            HttpMethod.GET,
            proxy,
            proxy.toString(),
            start.getRawPath() + "?" + start.getRawQuery(),
            null,
            null,
            null,
            java.util.Map.of("Cookie", "__Host-gatehouse=" + proxyCookie));
    assertThat(code.status()).as(code.body()).isEqualTo(302);
    java.net.URI finish = java.net.URI.create(code.header("Location"));
    assertThat(finish.getHost()).isEqualTo("dev-app.localhost");
    String finishPath = finish.getRawPath() + "?" + finish.getRawQuery();

    Web.Response back =
        web.send(
            null, HttpMethod.GET, proxy, app, finishPath, null, null, null, java.util.Map.of());
    assertThat(back.status()).isEqualTo(302);
    assertThat(back.header("Location")).isEqualTo("/page?x=1");
    String appCookie = cookie(back, "__Host-gatehouse_app");
    assertThat(back.header("Set-Cookie")).contains("Secure", "HttpOnly", "SameSite=Lax");

    Web.Response opened =
        web.send(
            null,
            HttpMethod.GET,
            proxy,
            app,
            "/page?x=1",
            null,
            null,
            null,
            java.util.Map.of("Cookie", "__Host-gatehouse_app=" + appCookie, "Accept", page));
    assertThat(opened.status()).isEqualTo(200);
    assertThat(opened.body())
        .as("the app sees bob's assertion, not the cookie")
        .doesNotContain(appCookie);

    // The code works once; the app's cookie nowhere but on its app.
    assertThat(
            web.send(
                    null,
                    HttpMethod.GET,
                    proxy,
                    app,
                    finishPath,
                    null,
                    null,
                    null,
                    java.util.Map.of())
                .status())
        .isEqualTo(401);
    assertThat(
            web.send(
                    null,
                    HttpMethod.GET,
                    proxy,
                    "prod-app.localhost:" + proxy.port(),
                    "/",
                    null,
                    null,
                    null,
                    java.util.Map.of("Cookie", "__Host-gatehouse_app=" + appCookie))
                .status())
        .isEqualTo(401);
    assertThat(
            web.send(
                    null,
                    HttpMethod.GET,
                    proxy,
                    proxy.toString(),
                    "/v1/resources",
                    null,
                    null,
                    null,
                    java.util.Map.of("Cookie", "__Host-gatehouse=" + appCookie))
                .status())
        .isEqualTo(401);
  }

  @Test
  void usersAndRolesAreRemovedAndAuditedTheBuiltInAdminStays() {
    assertThat(
            web.post(
                    proxy,
                    "/v1/users",
                    "application/json",
                    "{\"name\": \"zed\", \"roles\": [\"dev\"]}")
                .json()
                .getString("password"))
        .as("a generated one-time password")
        .hasSize(20);
    assertThat(as(web.bearer(), HttpMethod.DELETE, "/v1/users/zed").status()).isEqualTo(204);
    assertThat(as(web.bearer(), HttpMethod.GET, "/v1/users/zed").status()).isEqualTo(404);
    assertThat(as(web.bearer(), HttpMethod.DELETE, "/v1/roles/admin").status()).isEqualTo(400);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("user.delete");
                          assertThat(e.getName()).isEqualTo("zed");
                          assertThat(e.getUser()).isEqualTo("admin");
                          assertThat(e.getDetails().get("before")).contains("\"dev\"");
                          assertThat(e.getDetails().toString()).doesNotContain("argon2");
                        }));
  }

  private static String cookie(Web.Response r, String name) {
    for (String c : r.headers().allValues("Set-Cookie")) {
      if (c.startsWith(name + "=")) {
        return c.substring(name.length() + 1, c.indexOf(';'));
      }
    }
    throw new AssertionError("no cookie " + name + " in " + r.headers().map());
  }
}
