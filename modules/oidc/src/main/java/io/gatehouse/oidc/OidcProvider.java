package io.gatehouse.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * One OpenID Connect provider, discovered once, and the authorization code flow with PKCE against
 * it: {@link #start} makes the URL to send a browser to, {@link #finish} turns the code the browser
 * brings back into an {@link SsoIdentity}, or refuses it with an {@link OidcException} that says
 * why.
 *
 * <p>{@link #finish} exchanges the code with the client secret (HTTP basic) when there is one, or
 * as a public client with the PKCE verifier alone, then checks the ID token (signature against the
 * provider's JWKS, issuer, audience, expiry and issue time with 60 s of skew, nonce) and maps its
 * claims to roles. The JWKS is fetched again when a token names an unknown key, at most once a
 * minute.
 *
 * <p>Thread-safe. {@link #discover} and {@link #finish} block on the network for up to the timeout
 * per request: call them off an event loop.
 */
public final class OidcProvider {
  private final OidcSettings settings;
  private final OIDCProviderMetadata metadata;
  private final ProviderHttp http;
  private final IdTokenCheck idTokens;
  private final Clock clock;

  private OidcProvider(
      OidcSettings settings,
      OIDCProviderMetadata metadata,
      ProviderHttp http,
      IdTokenCheck idTokens,
      Clock clock) {
    this.settings = settings;
    this.metadata = metadata;
    this.http = http;
    this.idTokens = idTokens;
    this.clock = clock;
  }

  /**
   * Reads {@code <issuer>/.well-known/openid-configuration} and the provider's JWKS.
   *
   * @param trust the TLS context whose trust decides which provider certificates are accepted;
   *     {@code null} for the JDK's default trust store
   * @param timeout for connecting and again for reading, per request to the provider
   * @throws OidcException when the provider cannot be reached, or its discovery document or JWKS is
   *     not usable (another issuer, missing endpoints, no PKCE S256, no signing algorithm we
   *     accept)
   */
  public static OidcProvider discover(OidcSettings settings, SSLContext trust, Duration timeout) {
    return discover(settings, trust, timeout, Clock.systemUTC());
  }

  /** {@link #discover(OidcSettings, SSLContext, Duration)} with the clock tokens are checked by. */
  public static OidcProvider discover(
      OidcSettings settings, SSLContext trust, Duration timeout, Clock clock) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    ProviderHttp http = new ProviderHttp(trust, timeout);
    String issuer = settings.issuer().toString();
    URI wellKnown = URI.create(stripSlash(issuer) + "/.well-known/openid-configuration");
    HTTPResponse response =
        http.send(new HTTPRequest(HTTPRequest.Method.GET, wellKnown), "discovery document");
    String where = ProviderHttp.where(wellKnown);
    if (response.getStatusCode() != 200) {
      throw new OidcException(
          "the provider's discovery document at "
              + where
              + " answered HTTP "
              + response.getStatusCode()
              + ": is the issuer "
              + issuer
              + " right?");
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = OIDCProviderMetadata.parse(Objects.toString(response.getBody(), ""));
    } catch (ParseException e) {
      throw new OidcException(
          "the provider's discovery document at " + where + " is not valid: " + e.getMessage());
    }
    if (!issuer.equals(metadata.getIssuer().getValue())) {
      throw new OidcException(
          "the discovery document at "
              + where
              + " names the issuer '"
              + metadata.getIssuer().getValue()
              + "', not the configured '"
              + issuer
              + "' (they must match exactly, trailing slash included)");
    }
    endpoint(settings, metadata.getAuthorizationEndpointURI(), "authorization_endpoint", where);
    endpoint(settings, metadata.getTokenEndpointURI(), "token_endpoint", where);
    endpoint(settings, metadata.getJWKSetURI(), "jwks_uri", where);
    if (metadata.getUserInfoEndpointURI() != null) {
      endpoint(settings, metadata.getUserInfoEndpointURI(), "userinfo_endpoint", where);
    }
    List<CodeChallengeMethod> pkce = metadata.getCodeChallengeMethods();
    if (pkce != null && !pkce.contains(CodeChallengeMethod.S256)) {
      throw new OidcException(
          "the provider does not support PKCE with S256 (code_challenge_methods_supported: "
              + pkce
              + ")");
    }
    List<JWSAlgorithm> announced =
        metadata.getIDTokenJWSAlgs() == null ? List.of() : metadata.getIDTokenJWSAlgs();
    Set<JWSAlgorithm> algorithms = IdTokenCheck.asymmetric(announced);
    if (algorithms.isEmpty()) {
      throw new OidcException(
          "the provider signs ID tokens only with "
              + announced
              + ": Gatehouse needs a public-key algorithm (RS256, PS256, ES256 and the like)");
    }
    ProviderKeys keys = new ProviderKeys(metadata.getJWKSetURI(), http, clock);
    IdTokenCheck idTokens = new IdTokenCheck(issuer, settings.clientId(), algorithms, keys, clock);
    return new OidcProvider(settings, metadata, http, idTokens, clock);
  }

  public OidcSettings settings() {
    return settings;
  }

  /**
   * A new login: fresh random state, nonce and PKCE verifier, and the authorization URL that
   * carries the state, the nonce and the verifier's S256 hash. Sends nothing.
   *
   * @param redirectUri where the provider sends the browser back; it must be registered at the
   *     provider for this client
   */
  public PendingLogin start(URI redirectUri) {
    Objects.requireNonNull(redirectUri, "redirectUri");
    String scheme =
        redirectUri.getScheme() == null ? "" : redirectUri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || redirectUri.getHost() == null) {
      throw new IllegalArgumentException(
          "the redirect URI must be an absolute http or https URI, got " + redirectUri);
    }
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    URI url =
        new AuthenticationRequest.Builder(
                ResponseType.CODE,
                new Scope(settings.scopes().toArray(String[]::new)),
                new ClientID(settings.clientId()),
                redirectUri)
            .endpointURI(metadata.getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256)
            .build()
            .toURI();
    return new PendingLogin(
        url, state.getValue(), nonce.getValue(), verifier.getValue(), redirectUri, clock.instant());
  }

  /**
   * {@link #finish(PendingLogin, String, String)} for the whole URI the provider redirected the
   * browser to: reads {@code code} and {@code state} from its query, or the provider's {@code
   * error}, and checks {@code iss} when the provider sends it (RFC 9207).
   */
  public SsoIdentity finish(PendingLogin pending, URI callback) {
    Map<String, List<String>> params = URLUtils.parseParameters(callback.getRawQuery());
    Optional<String> error = first(params, "error");
    if (error.isPresent()) {
      throw new OidcException(
          "the provider refused the login: "
              + printable(error.get())
              + first(params, "error_description").map(d -> " (" + printable(d) + ")").orElse(""));
    }
    Optional<String> iss = first(params, "iss");
    if (iss.isPresent() && !iss.get().equals(settings.issuer().toString())) {
      throw new OidcException(
          "the answer names another issuer: '"
              + printable(iss.get())
              + "', expected '"
              + settings.issuer()
              + "'");
    }
    return finish(
        pending,
        first(params, "code").orElseThrow(() -> new OidcException("the provider sent no code")),
        first(params, "state").orElse(""));
  }

  /**
   * Checks {@code state} against the pending login, exchanges {@code code} at the token endpoint,
   * validates the ID token and maps its claims to roles.
   *
   * @param state the state the provider sent back with the code
   * @throws OidcException saying why the login is refused, e.g. {@code state mismatch}, {@code the
   *     provider refused the code: invalid_grant}, {@code ID token expired ...}, {@code no username
   *     claim 'email' in the ID token}
   */
  public SsoIdentity finish(PendingLogin pending, String code, String state) {
    Objects.requireNonNull(pending, "pending");
    if (state == null || !IdTokenCheck.sameSecret(pending.state(), state)) {
      throw new OidcException("state mismatch: the answer belongs to another login");
    }
    if (code == null || code.isBlank()) {
      throw new OidcException("the provider sent no code");
    }
    OIDCTokenResponse tokens = exchange(pending, code);
    String idToken = tokens.getOIDCTokens().getIDTokenString();
    if (idToken == null) {
      throw new OidcException("the provider sent no ID token: is openid among the scopes?");
    }
    JWTClaimsSet checked = idTokens.check(idToken, pending.nonce());
    Map<String, Object> claims = Claims.freeze(checked.getClaims());
    boolean fromUserInfo = false;
    if ((Claims.find(claims, settings.rolesClaim()).isEmpty() || username(claims).isEmpty())
        && metadata.getUserInfoEndpointURI() != null) {
      claims = withUserInfo(claims, checked.getSubject(), tokens.getOIDCTokens().getAccessToken());
      fromUserInfo = true;
    }
    String where = fromUserInfo ? "the ID token or the userinfo answer" : "the ID token";
    String username =
        username(claims)
            .orElseThrow(
                () ->
                    new OidcException(
                        "no username claim "
                            + String.join(
                                " or ", usernameClaims().stream().map(c -> "'" + c + "'").toList())
                            + " in "
                            + where));
    if (username.chars().anyMatch(Character::isISOControl)) {
      throw new OidcException("the username claim holds control characters");
    }
    return new SsoIdentity(checked.getSubject(), username, roles(claims), claims);
  }

  private OIDCTokenResponse exchange(PendingLogin pending, String code) {
    AuthorizationCodeGrant grant =
        new AuthorizationCodeGrant(
            new AuthorizationCode(code),
            pending.redirectUri(),
            new CodeVerifier(pending.codeVerifier()));
    URI endpoint = metadata.getTokenEndpointURI();
    ClientID client = new ClientID(settings.clientId());
    TokenRequest request =
        settings
            .clientSecret()
            .map(
                secret -> new TokenRequest.Builder(endpoint, authentication(client, secret), grant))
            .orElseGet(() -> new TokenRequest.Builder(endpoint, client, grant))
            .build();
    HTTPResponse response = http.send(request.toHTTPRequest(), "token endpoint");
    TokenResponse parsed;
    try {
      parsed = OIDCTokenResponseParser.parse(response);
    } catch (ParseException e) {
      // No cause and no body: a half-parsed answer may still hold a token.
      throw new OidcException(
          "the provider's token endpoint answered HTTP "
              + response.getStatusCode()
              + " with no valid token response");
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      String reason =
          error == null || error.getCode() == null
              ? "HTTP " + response.getStatusCode()
              : printable(error.getCode());
      String description =
          error == null || error.getDescription() == null || error.getDescription().contains(code)
              ? ""
              : " (" + printable(error.getDescription()) + ")";
      throw new OidcException("the provider refused the code: " + reason + description);
    }
    if (!(parsed.toSuccessResponse() instanceof OIDCTokenResponse tokens)) {
      throw new OidcException("the provider's token endpoint sent no OpenID Connect tokens");
    }
    return tokens;
  }

  /** HTTP basic, unless the provider announces only client_secret_post. */
  private ClientAuthentication authentication(ClientID client, String secret) {
    List<ClientAuthenticationMethod> methods = metadata.getTokenEndpointAuthMethods();
    if (methods != null
        && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
      return new ClientSecretPost(client, new Secret(secret));
    }
    return new ClientSecretBasic(client, new Secret(secret));
  }

  /** Claims of the userinfo endpoint under those of the ID token, which win where both have one. */
  private Map<String, Object> withUserInfo(
      Map<String, Object> idClaims, String subject, AccessToken accessToken) {
    if (accessToken == null) {
      return idClaims;
    }
    UserInfoRequest request =
        new UserInfoRequest(
            metadata.getUserInfoEndpointURI(), new BearerAccessToken(accessToken.getValue()));
    HTTPResponse response = http.send(request.toHTTPRequest(), "userinfo endpoint");
    UserInfoResponse parsed;
    try {
      parsed = UserInfoResponse.parse(response);
    } catch (ParseException e) {
      throw new OidcException(
          "the provider's userinfo endpoint answered HTTP "
              + response.getStatusCode()
              + " with no valid userinfo response");
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      throw new OidcException(
          "the provider's userinfo endpoint refused the access token: "
              + (error == null || error.getCode() == null
                  ? "HTTP " + response.getStatusCode()
                  : printable(error.getCode())));
    }
    UserInfo info = parsed.toSuccessResponse().getUserInfo();
    if (info == null) {
      throw new OidcException(
          "the provider's userinfo endpoint answers with a signed or encrypted JWT, which Gatehouse"
              + " does not read: put the roles claim into the ID token instead");
    }
    if (info.getSubject() == null || !subject.equals(info.getSubject().getValue())) {
      throw new OidcException("the userinfo answer is about another subject than the ID token");
    }
    Map<String, Object> merged = new LinkedHashMap<>(Claims.freeze(info.toJSONObject()));
    merged.putAll(idClaims);
    return Claims.freeze(merged);
  }

  private List<String> usernameClaims() {
    return settings.usernameClaim().equals(OidcSettings.DEFAULT_USERNAME_CLAIM)
        ? OidcSettings.DEFAULT_USERNAME_FALLBACK
        : List.of(settings.usernameClaim());
  }

  private Optional<String> username(Map<String, Object> claims) {
    for (String claim : usernameClaims()) {
      Optional<String> value = Claims.text(claims, claim);
      if (value.isPresent()) {
        return value;
      }
    }
    return Optional.empty();
  }

  private List<String> roles(Map<String, Object> claims) {
    Set<String> roles = new LinkedHashSet<>(settings.defaultRoles());
    List<String> values = Claims.strings(claims, settings.rolesClaim());
    for (String value : values) {
      roles.addAll(settings.claimRoles().getOrDefault(value, List.of()));
    }
    if (!values.isEmpty()) {
      roles.addAll(settings.claimRoles().getOrDefault(OidcSettings.ANY_VALUE, List.of()));
    }
    return List.copyOf(roles);
  }

  private static void endpoint(OidcSettings settings, URI uri, String name, String where) {
    if (uri == null) {
      throw new OidcException("the discovery document at " + where + " has no " + name);
    }
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    // Plain http only where the issuer itself is (a loopback provider): never a downgrade.
    boolean allowedHttp =
        "http".equalsIgnoreCase(uri.getScheme())
            && "http".equalsIgnoreCase(settings.issuer().getScheme());
    if (!(https || allowedHttp) || uri.getHost() == null) {
      throw new OidcException(
          "the discovery document at "
              + where
              + " gives "
              + name
              + " "
              + ProviderHttp.where(uri)
              + ": it must be an https URL");
    }
  }

  private static Optional<String> first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Text from the provider, made safe to print on one line and short. */
  private static String printable(String text) {
    String line = text.replaceAll("\\p{Cntrl}", " ");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static String stripSlash(String issuer) {
    return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
  }
}
