package io.gatehouse.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole code flow against a real OpenID Connect provider on loopback (mock-oauth2-server: its
 * own discovery, JWKS, authorization, token and userinfo endpoints, PKCE checks and single-use
 * codes). The browser is the JDK's HTTP client: it fetches the authorization URL and reads the
 * redirect back to us from the Location header.
 */
class OidcProviderIT {
  private static final String ISSUER_ID = "default";
  private static final URI REDIRECT = URI.create("http://127.0.0.1:9/v1/login/oidc/callback");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Map<String, List<String>> CLAIM_ROLES =
      Map.of("admins", List.of("admin"), "devs", List.of("dev"), "*", List.of("member"));

  private static MockOAuth2Server server;
  private static URI issuer;
  private static final HttpClient BROWSER =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(TIMEOUT)
          .build();

  @BeforeAll
  static void startProvider() {
    server = new MockOAuth2Server();
    server.start(InetAddress.getLoopbackAddress(), 0);
    issuer = URI.create(server.issuerUrl(ISSUER_ID).toString());
  }

  @AfterAll
  static void stopProvider() {
    server.shutdown();
  }

  private static OidcSettings confidential() {
    return OidcSettings.of(issuer, "gatehouse", Optional.of("client-secret"))
        .withRoles(CLAIM_ROLES, List.of("viewer"));
  }

  private static OidcProvider provider(OidcSettings settings) {
    return OidcProvider.discover(settings, null, TIMEOUT);
  }

  /** The provider issues its next tokens for this user with these extra claims. */
  private static void nextUser(String subject, Map<String, Object> claims) {
    nextUser(subject, claims, 3600);
  }

  private static void nextUser(String subject, Map<String, Object> claims, long expirySeconds) {
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", null, claims, expirySeconds));
  }

  /** What a browser does: follow the authorization URL to the provider, come back redirected. */
  private static URI authorize(PendingLogin pending) throws Exception {
    HttpResponse<String> response =
        BROWSER.send(
            HttpRequest.newBuilder(pending.authorizationUrl()).timeout(TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("the provider redirects back").isEqualTo(302);
    URI back = URI.create(response.headers().firstValue("Location").orElseThrow());
    assertThat(back.getPath()).isEqualTo(REDIRECT.getPath());
    return back;
  }

  private static String param(URI uri, String name) {
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv[0].equals(name)) {
        return java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no " + name + " in " + uri);
  }

  @Test
  void signsInAndMapsAListOfGroupsToRoles() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser(
        "sub-alice",
        Map.of("preferred_username", "alice", "groups", List.of("admins", "devs", "other")));

    PendingLogin pending = provider.start(REDIRECT);
    assertThat(pending.authorizationUrl().getRawQuery())
        .contains("code_challenge_method=S256", "code_challenge=", "nonce=", "state=")
        .doesNotContain(pending.codeVerifier());
    SsoIdentity identity = provider.finish(pending, authorize(pending));

    assertThat(identity.subject()).isEqualTo("sub-alice");
    assertThat(identity.username()).isEqualTo("alice");
    assertThat(identity.roles()).containsExactly("viewer", "admin", "dev", "member");
    assertThat(identity.claims())
        .containsEntry("groups", List.of("admins", "devs", "other"))
        .containsEntry("iss", issuer.toString());
  }

  @Test
  void aSingleStringClaimMapsToo() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-bob", Map.of("preferred_username", "bob", "groups", "devs"));

    PendingLogin pending = provider.start(REDIRECT);
    SsoIdentity identity = provider.finish(pending, authorize(pending));

    assertThat(identity.username()).isEqualTo("bob");
    assertThat(identity.roles()).containsExactly("viewer", "dev", "member");
  }

  @Test
  void theUsernameFallsBackToEmailThenSubject() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-carol", Map.of("email", "carol@example.com", "groups", List.of()));
    PendingLogin pending = provider.start(REDIRECT);
    assertThat(provider.finish(pending, authorize(pending)).username())
        .isEqualTo("carol@example.com");

    nextUser("sub-dave", Map.of("groups", List.of()));
    pending = provider.start(REDIRECT);
    SsoIdentity dave = provider.finish(pending, authorize(pending));
    assertThat(dave.username()).isEqualTo("sub-dave");
    assertThat(dave.roles()).as("no group: default roles only").containsExactly("viewer");
  }

  @Test
  void aConfiguredUsernameClaimThatIsMissingRefusesTheLogin() throws Exception {
    OidcProvider provider = provider(confidential().withUsernameClaim("email"));
    nextUser("sub-erin", Map.of("preferred_username", "erin", "groups", List.of("devs")));

    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .hasMessageStartingWith("no username claim 'email' in the ID token");
  }

  @Test
  void aWrongStateIsRefusedBeforeTheCodeIsSpent() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-alice", Map.of("preferred_username", "alice"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    String code = param(back, "code");

    assertThatThrownBy(() -> provider.finish(pending, code, "another-login's-state"))
        .isInstanceOf(OidcException.class)
        .hasMessage("state mismatch: the answer belongs to another login");
    assertThat(provider.finish(pending, code, param(back, "state")).username()).isEqualTo("alice");
  }

  @Test
  void aCodeUsedTwiceNeverSignsInTwice() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-alice", Map.of("preferred_username", "alice"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    provider.finish(pending, back);

    // mock-oauth2-server 2.3.0 forgets a code once used, yet still answers a second exchange with
    // a token, issued without the login's nonce (newer versions answer invalid_grant): either way
    // the replay is refused, here by the nonce check.
    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .message()
        .satisfiesAnyOf(
            m -> assertThat(m).startsWith("the provider refused the code: invalid_grant"),
            m -> assertThat(m).isEqualTo("ID token without the nonce of this login"))
        .doesNotContain(param(back, "code"));
  }

  @Test
  void anExpiredIdTokenIsRefused() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    OidcProvider provider = OidcProvider.discover(confidential(), null, TIMEOUT, clock);
    nextUser("sub-alice", Map.of("preferred_username", "alice"), 30);
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    // 30 s of validity and 60 s of allowed skew are both gone.
    clock.advance(Duration.ofSeconds(91));

    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .hasMessageStartingWith("ID token expired at ");
  }

  @Test
  void aTokenFromAnotherIssuerIsRefused() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-alice", Map.of("preferred_username", "alice", "iss", "https://evil.example.com"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);

    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .hasMessage(
            "ID token from another issuer: 'https://evil.example.com', expected '" + issuer + "'");
  }

  @Test
  void aTokenForAnotherClientIsRefused() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-alice", Map.of("preferred_username", "alice", "aud", "another-app"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);

    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .hasMessage("ID token for another client: audience [another-app], expected 'gatehouse'");
  }

  @Test
  void aTokenForAnotherLoginIsRefusedByItsNonce() throws Exception {
    OidcProvider provider = provider(confidential());
    nextUser("sub-alice", Map.of("preferred_username", "alice"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    PendingLogin otherNonce =
        new PendingLogin(
            pending.authorizationUrl(),
            pending.state(),
            "a-nonce-of-another-login",
            pending.codeVerifier(),
            pending.redirectUri(),
            pending.createdAt());

    assertThatThrownBy(() -> provider.finish(otherNonce, back))
        .isInstanceOf(OidcException.class)
        .hasMessage("ID token nonce mismatch: the token was issued for another login")
        .hasMessageNotContaining(pending.nonce());
  }

  @Test
  void aPublicClientSignsInWithPkceAlone() throws Exception {
    OidcProvider provider =
        provider(
            OidcSettings.of(issuer, "gatehouse-cli", Optional.empty())
                .withRoles(CLAIM_ROLES, List.of()));
    nextUser("sub-alice", Map.of("preferred_username", "alice", "groups", List.of("admins")));
    PendingLogin pending = provider.start(REDIRECT);

    SsoIdentity identity = provider.finish(pending, authorize(pending));
    assertThat(identity.username()).isEqualTo("alice");
    assertThat(identity.roles()).containsExactly("admin", "member");
  }

  @Test
  void aWrongPkceVerifierIsRefusedByTheProvider() throws Exception {
    OidcProvider provider = provider(OidcSettings.of(issuer, "gatehouse-cli", Optional.empty()));
    nextUser("sub-alice", Map.of("preferred_username", "alice"));
    PendingLogin pending = provider.start(REDIRECT);
    URI back = authorize(pending);
    PendingLogin otherVerifier =
        new PendingLogin(
            pending.authorizationUrl(),
            pending.state(),
            pending.nonce(),
            new CodeVerifier().getValue(),
            pending.redirectUri(),
            pending.createdAt());

    assertThatThrownBy(() -> provider.finish(otherVerifier, back))
        .isInstanceOf(OidcException.class)
        .hasMessageStartingWith("the provider refused the code: invalid_grant")
        .hasMessageNotContaining(otherVerifier.codeVerifier());
  }

  @Test
  void theRolesClaimIsReadFromUserinfoWhenTheIdTokenLacksIt() throws Exception {
    OidcProvider provider = provider(confidential());
    // The mock builds the ID token first, then the access token its userinfo endpoint reads.
    server.enqueueCallback(new GroupsOnlyInTheAccessToken("sub-frank", List.of("devs")));
    PendingLogin pending = provider.start(REDIRECT);

    SsoIdentity identity = provider.finish(pending, authorize(pending));
    assertThat(identity.username()).isEqualTo("frank");
    assertThat(identity.roles()).containsExactly("viewer", "dev", "member");
    assertThat(identity.claims()).containsEntry("groups", List.of("devs"));
  }

  @Test
  void theProviderRefusingTheLoginIsReported() {
    OidcProvider provider = provider(confidential());
    PendingLogin pending = provider.start(REDIRECT);
    URI back =
        URI.create(
            REDIRECT
                + "?error=access_denied&error_description=user+cancelled&state="
                + pending.state());

    assertThatThrownBy(() -> provider.finish(pending, back))
        .isInstanceOf(OidcException.class)
        .hasMessage("the provider refused the login: access_denied (user cancelled)");
  }

  @Test
  void discoveryOfAWrongIssuerSaysWhatFailed() {
    URI wrong = URI.create(issuer + "-nope/");
    assertThatThrownBy(() -> provider(OidcSettings.of(wrong, "gatehouse", Optional.empty())))
        .isInstanceOf(OidcException.class)
        .hasMessageContaining("discovery document")
        .hasMessageContaining(wrong.getHost());
  }

  /** Claims that differ between the ID token (first asked) and the access token (second). */
  private static final class GroupsOnlyInTheAccessToken implements OAuth2TokenCallback {
    private final String subject;
    private final List<String> groups;
    private final AtomicInteger calls = new AtomicInteger();

    GroupsOnlyInTheAccessToken(String subject, List<String> groups) {
      this.subject = subject;
      this.groups = groups;
    }

    @Override
    public String issuerId() {
      return ISSUER_ID;
    }

    @Override
    public String subject(TokenRequest request) {
      return subject;
    }

    @Override
    public String typeHeader(TokenRequest request) {
      return "JWT";
    }

    @Override
    public List<String> audience(TokenRequest request) {
      return List.of("gatehouse");
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest request) {
      Map<String, Object> claims = new HashMap<>();
      claims.put("preferred_username", "frank");
      if (calls.getAndIncrement() > 0) {
        claims.put("groups", groups);
      }
      return claims;
    }

    @Override
    public long tokenExpiry() {
      return 3600;
    }
  }
}
