package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.access.Credentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.User;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.oidc.PendingLogin;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.auth.SsoBinding;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
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

  /** The CLI's PKCE-style verifier, and the challenge it starts its login with. */
  private static final String VERIFIER = "a-verifier-the-cli-generated-0123456789abcdef";

  private static final String CHALLENGE = challenge(VERIFIER);
  private static final String CLI_QUERY = "?cli=" + CLI + "&challenge=" + CHALLENGE;
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

  /** A second proxy of the same cluster, as behind a load balancer without stickiness. */
  private static HostPort other;

  @BeforeAll
  static void start() {
    provider = new MockOAuth2Server();
    provider.start(InetAddress.getLoopbackAddress(), 0);
    String issuer = provider.issuerUrl(ISSUER_ID).toString();
    String sso =
        "auth: { oidc: { issuer: \"%s\", client_id: gatehouse, claim_roles: { devs: [dev] } } }"
            .formatted(issuer);
    proxy = cluster.proxy("proxy-sso", sso).webAddress();
    other = cluster.proxy("proxy-sso-2", sso).webAddress();
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
    cluster.awaitReady(other);
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

  private static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What the proxy answers at the callback, the binding cookie the browser carried, and the
   * callback's path and query (to replay it).
   */
  private record Back(Web.Response response, String cookie, String callback) {}

  /** The provider's answer to a login started at {@code at}, and the binding cookie it set. */
  private record Answer(String callback, String cookie) {}

  /** Starts a login at {@code at} and passes the provider, stopping short of the callback. */
  private static Answer toProvider(HostPort at, String cliQuery) throws Exception {
    Web.Response started = get(at, "/v1/login/sso" + cliQuery, Map.of());
    assertThat(started.status()).as(started.body()).isEqualTo(302);
    String cookie = started.header("Set-Cookie");
    assertThat(cookie)
        .startsWith("__Host-gatehouse_sso=")
        .endsWith("; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Lax");
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
        .startsWith("https://localhost:" + at.port() + "/v1/login/sso/callback?");
    return new Answer(back.getRawPath() + "?" + back.getRawQuery(), cookie.split(";", 2)[0]);
  }

  /** Starts a login at the proxy, passes the provider, and comes back to the proxy's callback. */
  private static Back signIn(String cliQuery) throws Exception {
    return signIn(proxy, proxy, cliQuery);
  }

  /** Starts a login at {@code start}; the provider's answer lands on {@code back}. */
  private static Back signIn(HostPort start, HostPort back, String cliQuery) throws Exception {
    Answer answer = toProvider(start, cliQuery);
    return new Back(
        get(back, answer.callback(), Map.of("Cookie", answer.cookie())),
        answer.cookie(),
        answer.callback());
  }

  private static Web.Response get(String path, Map<String, String> headers) {
    return get(proxy, path, headers);
  }

  private static Web.Response get(HostPort at, String path, Map<String, String> headers) {
    return web.send(
        null, HttpMethod.GET, at, "localhost:" + at.port(), path, null, null, null, headers);
  }

  /** The one-time code the proxy sent to the CLI's loopback address: the URL's only parameter. */
  private static String cliCode(Web.Response back) {
    assertThat(back.status()).as(back.body()).isEqualTo(302);
    URI to = URI.create(back.header("Location"));
    assertThat(to.toString()).startsWith(CLI + "?code=");
    assertThat(to.getRawQuery()).doesNotContain("&");
    return URLDecoder.decode(to.getRawQuery().substring("code=".length()), StandardCharsets.UTF_8);
  }

  /** What {@code at} answers when the CLI trades {@code code} with {@code verifier}. */
  private static Web.Response exchange(HostPort at, String code, String verifier) {
    return web.send(
        null,
        HttpMethod.POST,
        at,
        "localhost:" + at.port(),
        "/v1/login/sso/exchange",
        null,
        "application/json",
        new JsonObject().put("code", code).put("verifier", verifier).encode(),
        Map.of());
  }

  /**
   * The credential the CLI gets for the code the proxy sent to its loopback address; that address
   * never carries it.
   */
  private static String cliToken(Web.Response back) {
    String code = cliCode(back);
    Web.Response traded = exchange(proxy, code, VERIFIER);
    assertThat(traded.status()).as(traded.body()).isEqualTo(200);
    String token = traded.json().getString("token");
    assertThat(back.header("Location")).doesNotContain(token);
    return token;
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
    String token = cliToken(signIn(CLI_QUERY).response());

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
    String token = cliToken(signIn(CLI_QUERY).response());

    Web.Response user = web.get(proxy, "/v1/users/dora");
    assertThat(user.json().getString("origin")).isEqualTo("sso");
    assertThat(user.json().getInstant("createdAt")).isEqualTo(created);
    assertThat(user.json().getJsonArray("roles")).isEmpty();
    assertThat(as(token, "/v1/whoami").json().getJsonArray("roles")).isEmpty();
  }

  @Test
  void aUserWithNoMappedRoleGetsACredentialThatOpensNothing() throws Exception {
    nextUser("erin", List.of("strangers"));
    String token = cliToken(signIn(CLI_QUERY).response());

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
    URI toCli = URI.create(signIn(CLI_QUERY).response().header("Location"));
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

    // Nor by a victim's browser in the middle of a login of its own.
    Answer own = toProvider(proxy, "");
    Web.Response mixed =
        get(back.getRawPath() + "?" + back.getRawQuery(), Map.of("Cookie", own.cookie()));
    assertThat(mixed.status()).isEqualTo(401);
    assertThat(mixed.json().getString("error")).contains("state mismatch");
  }

  @Test
  void aLoginStartedOnOneProxyIsFinishedOnAnother() throws Exception {
    nextUser("hana", List.of("devs"));
    Web.Response browser = signIn(proxy, other, "").response();
    assertThat(browser.status()).as(browser.body()).isEqualTo(303);
    String cookie =
        browser.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("__Host-gatehouse="))
            .findFirst()
            .orElseThrow();
    String token = cookie.substring("__Host-gatehouse=".length(), cookie.indexOf(';'));
    assertThat(as(token, "/v1/whoami").json().getString("user")).isEqualTo("hana");

    // The CLI's login: started on the second proxy, back on the first, traded on the second.
    nextUser("hana", List.of("devs"));
    String code = cliCode(signIn(other, proxy, CLI_QUERY).response());
    Web.Response traded = exchange(other, code, VERIFIER);
    assertThat(traded.status()).as(traded.body()).isEqualTo(200);
    assertThat(traded.json().getString("user")).isEqualTo("hana");
    assertThat(traded.json().getString("method")).isEqualTo("sso");
    assertThat(as(traded.json().getString("token"), "/v1/whoami").status()).isEqualTo(200);
  }

  @Test
  void aReplayedCallbackIsRefusedOnTheProxyThatTookItAndOnAnother() throws Exception {
    nextUser("ivan", List.of("devs"));
    Back first = signIn("");
    assertThat(first.response().status()).as(first.response().body()).isEqualTo(303);
    assertThat(first.response().headers().allValues("Set-Cookie"))
        .contains("__Host-gatehouse_sso=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");

    // Someone who copied the answer and the cookie before they were used up.
    Web.Response here = get(proxy, first.callback(), Map.of("Cookie", first.cookie()));
    assertThat(here.status()).isEqualTo(401);
    assertThat(here.json().getString("error")).contains("finished already");
    assertThat(here.headers().allValues("Set-Cookie"))
        .noneMatch(c -> c.startsWith("__Host-gatehouse="));

    // Another proxy has not seen the state, but the provider takes each code once.
    Web.Response there = get(other, first.callback(), Map.of("Cookie", first.cookie()));
    assertThat(there.status()).isEqualTo(401);
    assertThat(there.headers().allValues("Set-Cookie"))
        .noneMatch(c -> c.startsWith("__Host-gatehouse="));
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(logins(null))
                    .anySatisfy(
                        e -> assertThat(e.getDetails().get("reason")).contains("state replayed")));
  }

  @Test
  void aTamperedOrExpiredBindingCookieIsABadRequest() throws Exception {
    // No user queued at the provider: the proxy refuses before it trades the code.
    Answer answer = toProvider(proxy, "");
    String value = answer.cookie().substring("__Host-gatehouse_sso=".length());
    int middle = value.length() / 2;
    String tampered =
        value.substring(0, middle)
            + (value.charAt(middle) == 'A' ? 'B' : 'A')
            + value.substring(middle + 1);

    Web.Response refused =
        get(answer.callback(), Map.of("Cookie", "__Host-gatehouse_sso=" + tampered));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().getString("error"))
        .isEqualTo(
            "the single sign-on cookie is tampered with, or was sealed by another cluster: start"
                + " again");

    // A cookie sealed by this cluster for a login started eleven minutes ago.
    String state =
        URLDecoder.decode(
            answer.callback().replaceAll(".*[?&]state=([^&]*).*", "$1"), StandardCharsets.UTF_8);
    Instant started = Instant.now().minus(Duration.ofMinutes(11));
    String stale =
        new SsoBinding(
                ClusterSecret.read(cluster.caDir()).derive(ClusterSecret.Purpose.SSO_LOGIN),
                Clock.systemUTC())
            .seal(
                new SsoBinding.Login(
                    new PendingLogin(
                        URI.create("https://idp.example.com/authorize"),
                        state,
                        "nonce",
                        "verifier",
                        URI.create("https://localhost:" + proxy.port() + "/v1/login/sso/callback"),
                        started),
                    java.util.Optional.empty(),
                    java.util.Optional.empty()));
    Web.Response expired =
        get(answer.callback(), Map.of("Cookie", "__Host-gatehouse_sso=" + stale));
    assertThat(expired.status()).isEqualTo(400);
    assertThat(expired.json().getString("error"))
        .isEqualTo("the single sign-on cookie has expired: start again");
  }

  @Test
  void theCliCodeIsTradedOnceAndOnlyWithTheVerifierOfItsChallenge() throws Exception {
    nextUser("jack", List.of("devs"));
    Web.Response back = signIn(CLI_QUERY).response();
    String code = cliCode(back);

    Web.Response wrong = exchange(proxy, code, "someone-elses-verifier-0123456789abcdefghijklmn");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().getString("error")).contains("verifier does not match");
    assertThat(wrong.body()).doesNotContain(code);
    Web.Response malformed = exchange(proxy, code, "short");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("error")).contains("RFC 7636");
    Web.Response forged = exchange(proxy, code.substring(0, code.length() - 4) + "AAAA", VERIFIER);
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.json().getString("error")).contains("tampered");

    Web.Response traded = exchange(proxy, code, VERIFIER);
    assertThat(traded.status()).as(traded.body()).isEqualTo(200);
    String token = traded.json().getString("token");
    assertThat(back.header("Location")).doesNotContain(token);
    assertThat(as(token, "/v1/whoami").json().getString("user")).isEqualTo("jack");

    Web.Response again = exchange(proxy, code, VERIFIER);
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.json().getString("error")).contains("redeemed already");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(logins("jack"))
                    .anySatisfy(
                        e ->
                            assertThat(e.getDetails().get("reason"))
                                .contains("code exchange: the verifier does not match")));
  }

  @Test
  void onlyALoopbackCliAddressIsAccepted() {
    for (String cli :
        List.of(
            "https://127.0.0.1:9/callback",
            "http://evil.example:9/callback",
            "http://127.0.0.1/callback",
            "http://127.0.0.1:9/callback?x=1")) {
      assertThat(get("/v1/login/sso?cli=" + cli + "&challenge=" + CHALLENGE, Map.of()).status())
          .as(cli)
          .isEqualTo(400);
    }
    assertThat(
            get("/v1/login/sso?cli=http://[::1]:9/callback&challenge=" + CHALLENGE, Map.of())
                .status())
        .isEqualTo(302);
    // A CLI's login needs the challenge of its verifier; a browser's takes none.
    for (String query :
        List.of("?cli=" + CLI, "?cli=" + CLI + "&challenge=too-short", "?challenge=" + CHALLENGE)) {
      Web.Response refused = get("/v1/login/sso" + query, Map.of());
      assertThat(refused.status()).as(query).isEqualTo(400);
      assertThat(refused.json().getString("error")).contains("challenge");
    }
  }

  @Test
  void anSsoCredentialPastItsExpiryIsRefused() throws Exception {
    nextUser("gina", List.of("devs"));
    cliToken(signIn(CLI_QUERY).response());
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
