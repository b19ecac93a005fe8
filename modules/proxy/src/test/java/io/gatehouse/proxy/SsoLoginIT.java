package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.access.Credentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.User;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Single sign-on through a real OpenID Connect provider on loopback (mock-oauth2-server: discovery,
 * JWKS, authorization and token endpoints, PKCE) and a real proxy, broker and agent. The browser is
 * the JDK's HTTP client, following each redirect by hand and carrying the proxy's cookie.
 */
class SsoLoginIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();
  private static final String ISSUER_ID = "default";
  private static final String CLI = "http://127.0.0.1:9/callback";
  private static final HttpClient PROVIDER_BROWSER =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Web.TIMEOUT)
          .build();

  private static final String DEV_ROLE =
      """
      {"kind": "role", "version": "v1", "metadata": {"name": "dev"},
       "spec": {"allow": {"app_labels": {"env": "dev"}}}}
      """;

  private static MockOAuth2Server provider;
  private static HostPort proxy;

  @BeforeAll
  static void start() {
    provider = new MockOAuth2Server();
    provider.start(InetAddress.getLoopbackAddress(), 0);
    String issuer = provider.issuerUrl(ISSUER_ID).toString();
    proxy =
        cluster
            .proxy(
                "proxy-sso",
                "auth: { oidc: { issuer: \"%s\", client_id: gatehouse, claim_roles: { devs: [dev] } } }"
                    .formatted(issuer))
            .webAddress();
    int upstream = web.upstream(r -> r.response().end("dev app")).actualPort();
    cluster.agent(
        "agent-sso",
        """
        app_service:
          apps:
            - { name: dev-app, uri: "http://127.0.0.1:%d", labels: { env: dev } }
        """
            .formatted(upstream));
    cluster.awaitReady(proxy);
    cluster.awaitHealthy(proxy, "app", "dev-app", 1);
    assertThat(web.post(proxy, "/v1/roles", "application/json", DEV_ROLE).status()).isEqualTo(201);
  }

  @AfterAll
  static void stopProvider() {
    provider.shutdown();
  }

  /**
   * The provider signs the next user in as {@code username} with these groups: queued, and taken by
   * the next code traded at its token endpoint, so only a test whose login reaches that far queues
   * one.
   */
  private static void nextUser(String username, Object groups) {
    provider.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            ISSUER_ID,
            "sub-" + username,
            "JWT",
            null,
            Map.of("preferred_username", username, "groups", groups),
            3600));
  }

  /** What the proxy answers at the callback, and the binding cookie the browser carried. */
  private record Back(Web.Response response, String cookie) {}

  /** Starts a login at the proxy, passes the provider, and comes back to the proxy's callback. */
  private static Back signIn(String cliQuery) throws Exception {
    Web.Response started = get("/v1/login/sso" + cliQuery, Map.of());
    assertThat(started.status()).as(started.body()).isEqualTo(302);
    String cookie = started.header("Set-Cookie");
    assertThat(cookie).startsWith("__Host-gatehouse_sso=").contains("Secure", "HttpOnly");
    String binding = cookie.substring(0, cookie.indexOf(';'));
    HttpResponse<String> atProvider =
        PROVIDER_BROWSER.send(
            HttpRequest.newBuilder(URI.create(started.header("Location")))
                .timeout(Web.TIMEOUT)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(atProvider.statusCode()).isEqualTo(302);
    URI back = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
    assertThat(back.toString())
        .startsWith("https://localhost:" + proxy.port() + "/v1/login/sso/callback?");
    return new Back(
        get(back.getRawPath() + "?" + back.getRawQuery(), Map.of("Cookie", binding)), binding);
  }

  private static Web.Response get(String path, Map<String, String> headers) {
    return web.send(
        null, HttpMethod.GET, proxy, "localhost:" + proxy.port(), path, null, null, null, headers);
  }

  /** The credential the proxy sent to the CLI's loopback address. */
  private static String cliToken(Web.Response back) {
    assertThat(back.status()).as(back.body()).isEqualTo(302);
    URI to = URI.create(back.header("Location"));
    assertThat(to.toString()).startsWith(CLI + "?token=");
    return URLDecoder.decode(to.getRawQuery().substring("token=".length()), StandardCharsets.UTF_8);
  }

  private static Web.Response as(String token, String path) {
    return web.requestAs(token, HttpMethod.GET, proxy, proxy.toString(), path, null, null, null);
  }

  private static Web.Response app(String token, String app) {
    return web.requestAs(token, HttpMethod.GET, proxy, app + ".localhost", "/", null, null, null);
  }

  private static List<AuditEvent> logins(String user) {
    return cluster.audit().stream()
        .filter(e -> e.getType().equals("user.login"))
        .filter(e -> "sso".equals(e.getDetails().get("method")))
        .filter(e -> user == null ? e.getUser() == null : user.equals(e.getUser()))
        .toList();
  }

  @Test
  void theCliGetsACredentialWhoseRolesComeFromTheGroupsClaim() throws Exception {
    nextUser("alice", List.of("devs", "unmapped"));
    String token = cliToken(signIn("?cli=" + CLI).response());

    Web.Response whoami = as(token, "/v1/whoami");
    assertThat(whoami.status()).as(whoami.body()).isEqualTo(200);
    assertThat(whoami.json().getString("user")).isEqualTo("alice");
    assertThat(whoami.json().getString("method")).isEqualTo("sso");
    assertThat(whoami.json().getJsonArray("roles")).isEqualTo(new JsonArray(List.of("dev")));
    assertThat(app(token, "dev-app").body()).isEqualTo("dev app");
    List<byte[]> written = cluster.records(Topic.USERS).get("alice");
    User stored = EventCodec.USER.decode(written.get(written.size() - 1));
    assertThat(stored.getOrigin()).isEqualTo("sso");
    assertThat(stored.getPasswordHash()).isNull();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(logins("alice"))
                    .anySatisfy(e -> assertThat(e.getOutcome()).isEqualTo("ok")));
  }

  @Test
  void aBrowserGetsTheCookieAndASecondLoginKeepsTheUserCreatedAtTheFirst() throws Exception {
    nextUser("dora", List.of("devs"));
    Web.Response first = signIn("").response();
    assertThat(first.status()).as(first.body()).isEqualTo(303);
    assertThat(first.header("Location")).isEqualTo("/");
    assertThat(first.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("__Host-gatehouse=").contains("HttpOnly"));
    Instant created = web.get(proxy, "/v1/users/dora").json().getInstant("createdAt");

    nextUser("dora", List.of());
    String token = cliToken(signIn("?cli=" + CLI).response());

    Web.Response user = web.get(proxy, "/v1/users/dora");
    assertThat(user.json().getString("origin")).isEqualTo("sso");
    assertThat(user.json().getInstant("createdAt")).isEqualTo(created);
    assertThat(user.json().getJsonArray("roles")).isEmpty();
    assertThat(as(token, "/v1/whoami").json().getJsonArray("roles")).isEmpty();
  }

  @Test
  void aUserWithNoMappedRoleGetsACredentialThatOpensNothing() throws Exception {
    nextUser("erin", List.of("strangers"));
    String token = cliToken(signIn("?cli=" + CLI).response());

    assertThat(as(token, "/v1/whoami").status()).isEqualTo(200);
    assertThat(app(token, "dev-app").status()).isEqualTo(403);
    assertThat(as(token, "/v1/resources").status()).isEqualTo(403);
  }

  @Test
  void aProviderUserNamedLikeALocalUserIsRefused() throws Exception {
    Web.Response local =
        web.post(
            proxy,
            "/v1/users",
            "application/json",
            "{\"name\": \"carol\", \"roles\": [\"admin\"], \"password\": \"correct horse battery\"}");
    assertThat(local.status()).as(local.body()).isEqualTo(201);
    nextUser("carol", List.of("devs"));

    Web.Response back = signIn("").response();
    assertThat(back.status()).isEqualTo(403);
    assertThat(back.json().getString("error")).contains("carol is a local user");
    assertThat(back.headers().allValues("Set-Cookie"))
        .noneMatch(c -> c.startsWith("__Host-gatehouse="));
    assertThat(web.get(proxy, "/v1/users/carol").json().getString("origin")).isEqualTo("local");

    nextUser("carol", List.of("devs"));
    URI toCli = URI.create(signIn("?cli=" + CLI).response().header("Location"));
    assertThat(toCli.getRawQuery()).startsWith("error=").doesNotContain("token=");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(logins("carol"))
                    .anySatisfy(e -> assertThat(e.getOutcome()).isEqualTo("denied")));
  }

  @Test
  void aCallbackOfNoLoginInProgressIsRefusedAndAudited() {
    Web.Response back = get("/v1/login/sso/callback?code=made-up&state=made-up", Map.of());
    assertThat(back.status()).isEqualTo(401);
    assertThat(back.body()).contains("no login in progress").doesNotContain("made-up");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(logins(null))
                    .anySatisfy(
                        e -> assertThat(e.getDetails().get("reason")).contains("state mismatch")));
  }

  @Test
  void aLoginFinishedInAnotherBrowserIsRefused() throws Exception {
    // No user queued at the provider: the proxy refuses before it trades the code.
    Web.Response started = get("/v1/login/sso", Map.of());
    HttpResponse<String> atProvider =
        PROVIDER_BROWSER.send(
            HttpRequest.newBuilder(URI.create(started.header("Location"))).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    URI back = URI.create(atProvider.headers().firstValue("Location").orElseThrow());

    // The attacker's answer, opened by a victim's browser that never started it.
    Web.Response victim = get(back.getRawPath() + "?" + back.getRawQuery(), Map.of());
    assertThat(victim.status()).isEqualTo(401);
    assertThat(victim.json().getString("error")).contains("another browser");
  }

  @Test
  void onlyALoopbackCliAddressIsAccepted() {
    for (String cli :
        List.of(
            "https://127.0.0.1:9/callback",
            "http://evil.example:9/callback",
            "http://127.0.0.1/callback",
            "http://127.0.0.1:9/callback?x=1")) {
      assertThat(get("/v1/login/sso?cli=" + cli, Map.of()).status()).as(cli).isEqualTo(400);
    }
    assertThat(get("/v1/login/sso?cli=http://[::1]:9/callback", Map.of()).status()).isEqualTo(302);
  }

  @Test
  void anSsoCredentialPastItsExpiryIsRefused() throws Exception {
    nextUser("gina", List.of("devs"));
    cliToken(signIn("?cli=" + CLI).response());
    byte[] key = ClusterSecret.read(cluster.caDir()).derive(ClusterSecret.Purpose.CREDENTIAL);
    Credentials yesterday =
        new Credentials(key, Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC));
    Web.Response expired =
        as(yesterday.issue("gina", List.of("dev"), Duration.ofHours(12), "sso"), "/v1/whoami");
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.json().getString("error")).contains("expired");
  }

  @Test
  void aProviderThatIsDownDoesNotStopTheProxyAndSsoAnswers503() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    HostPort other =
        cluster
            .proxy(
                "proxy-sso-down",
                "auth: { oidc: { issuer: \"http://127.0.0.1:%d/x\", client_id: gatehouse } }"
                    .formatted(closed))
            .webAddress();
    cluster.awaitReady(other);
    Web.Response sso =
        web.send(
            null,
            HttpMethod.GET,
            other,
            other.toString(),
            "/v1/login/sso",
            null,
            null,
            null,
            Map.of());
    assertThat(sso.status()).isEqualTo(503);
    assertThat(sso.json().getString("code")).isEqualTo("sso-unavailable");
    assertThat(sso.json().getString("error")).contains("discover");
  }
}
