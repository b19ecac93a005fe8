package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import io.gatehouse.access.Credentials;
import io.gatehouse.oidc.OidcException;
import io.gatehouse.oidc.PendingLogin;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.config.AuthSettings;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Single sign-on through the OpenID Connect provider of {@code proxy.auth.oidc} (docs/security.md,
 * "Single sign-on"), on any proxy of the cluster, as nothing of a login is kept in a proxy's memory
 * but the states and codes it has already used:
 *
 * <ul>
 *   <li>{@code GET /v1/login/sso[?cli=http://127.0.0.1:PORT/PATH&challenge=S256]} sends the browser
 *       to the provider (302) with the login sealed in the {@value SsoBinding#COOKIE} cookie
 *       ({@link SsoBinding}), which also binds the login to this browser (no login CSRF);
 *   <li>{@code GET /v1/login/sso/callback?code&state} opens that cookie with the state, once per
 *       state, checks the answer ({@link io.gatehouse.oidc.OidcProvider#finish}, off the event
 *       loop), writes the user and issues a credential ({@link SsoAccounts}), and either sets the
 *       {@value Authenticator#COOKIE} cookie and sends the browser to {@code /}, or redirects it to
 *       the CLI's loopback address with a one-time {@code ?code=…} ({@link SsoCodes});
 *   <li>{@code POST /v1/login/sso/exchange} ({@code {"code", "verifier"}}) trades that code, once,
 *       for the credential, given the verifier of the challenge the CLI started with.
 * </ul>
 *
 * Every callback is audited ({@code user.login}, method {@code sso}), and so is every refused
 * exchange. Without {@code proxy.auth.oidc} all answer {@code 404}; before the provider is
 * discovered, {@code 503 sso-unavailable} with the reason.
 */
public final class SsoLogin {
  public static final String START_PATH = "/v1/login/sso";
  public static final String EXCHANGE_PATH = "/v1/login/sso/exchange";
  public static final String METHOD = "sso";
  public static final String ORIGIN = "sso";

  private static final int BODY_LIMIT = 8 * 1024;

  private final Optional<OidcDiscovery> discovery;
  private final Supplier<URI> redirectUrl;
  private final SsoAccounts accounts;
  private final Credentials credentials;
  private final Duration credentialTtl;
  private final AuditLog audit;
  private final SsoBinding binding;
  private final SsoCodes codes;

  /** The states whose callback this proxy took, until their login expires. */
  private final UsedLinks usedStates;

  /**
   * @param discovery the provider; empty when single sign-on is not configured
   * @param redirectUrl the callback registered at the provider (known once the port is bound)
   * @param secret the cluster secret, whose keys seal logins under way and the CLI's codes
   */
  public SsoLogin(
      AuthSettings settings,
      Optional<OidcDiscovery> discovery,
      Supplier<URI> redirectUrl,
      UserDirectory directory,
      Credentials credentials,
      AuditLog audit,
      ClusterSecret secret,
      Clock clock) {
    this.discovery = discovery;
    this.redirectUrl = redirectUrl;
    this.accounts = new SsoAccounts(directory, credentials, settings.credentialTtl(), audit, clock);
    this.credentials = credentials;
    this.credentialTtl = settings.credentialTtl();
    this.audit = audit;
    this.binding = new SsoBinding(secret.derive(ClusterSecret.Purpose.SSO_LOGIN), clock);
    this.codes = new SsoCodes(secret.derive(ClusterSecret.Purpose.SSO_CODE), clock);
    // Anyone can start logins and send their states back: a flood must not shut SSO out here.
    this.usedStates = new UsedLinks(clock, UsedLinks.WhenFull.FORGET_OLDEST);
  }

  /** The default callback: {@code https://<publicHost>[:port]/v1/login/sso/callback}. */
  public static URI defaultRedirectUrl(String publicHost, int port) {
    return URI.create(
        "https://" + publicHost + (port == 443 ? "" : ":" + port) + AuthSettings.SSO_CALLBACK_PATH);
  }

  /** Mounts the three endpoints; users are written through {@code writes}. */
  public void mount(Router r, UserWrites writes) {
    r.get(START_PATH).handler(this::start);
    r.get(AuthSettings.SSO_CALLBACK_PATH).handler(ctx -> callback(ctx, writes));
    r.post(EXCHANGE_PATH)
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(this::exchange);
  }

  private void start(RoutingContext ctx) {
    if (discovery.isEmpty()) {
      ctx.fail(notConfigured());
      return;
    }
    Optional<URI> cli;
    Optional<String> challenge = Optional.ofNullable(ctx.request().getParam("challenge"));
    try {
      cli = Optional.ofNullable(ctx.request().getParam("cli")).map(SsoLogin::loopback);
    } catch (IllegalArgumentException e) {
      ctx.fail(new Refusal(ErrorCode.BAD_REQUEST, e.getMessage()));
      return;
    }
    if (cli.isPresent() != challenge.isPresent()
        || challenge.isPresent() && !SsoCodes.isChallenge(challenge.get())) {
      ctx.fail(
          new Refusal(
              ErrorCode.BAD_REQUEST,
              "cli and challenge go together: challenge is the base64url SHA-256 of the verifier"
                  + " the CLI will present (43 characters)"));
      return;
    }
    Future.fromCompletionStage(discovery.get().provider(), ctx.vertx().getOrCreateContext())
        .onFailure(e -> ctx.fail(unavailable(e)))
        .onSuccess(
            provider -> {
              PendingLogin login = provider.start(redirectUrl.get());
              String sealed = binding.seal(new SsoBinding.Login(login, cli, challenge));
              ctx.response()
                  .putHeader(HttpHeaders.SET_COOKIE, SsoBinding.setCookie(sealed))
                  .putHeader(HttpHeaders.LOCATION, login.authorizationUrl().toString())
                  .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                  .setStatusCode(302)
                  .end();
            });
  }

  private void callback(RoutingContext ctx, UserWrites writes) {
    if (discovery.isEmpty()) {
      ctx.fail(notConfigured());
      return;
    }
    String remote = ClientAddress.of(ctx.request());
    // The binding has done its work, whatever the outcome.
    ctx.response().putHeader(HttpHeaders.SET_COOKIE, SsoBinding.clearCookie());
    Cookie bound = ctx.request().getCookie(SsoBinding.COOKIE);
    if (bound == null) {
      audit.login(null, METHOD, "failed", "state mismatch: no binding cookie", remote);
      ctx.fail(
          new Refusal(
              ErrorCode.UNAUTHENTICATED,
              "single sign-on failed: this browser has no login in progress (it was started in"
                  + " another browser, or expired): start again"));
      return;
    }
    SsoBinding.Login login;
    try {
      login = binding.open(bound.getValue(), ctx.request().getParam("state"));
    } catch (Refusal refusal) {
      audit.login(null, METHOD, "failed", refusal.getMessage(), remote);
      ctx.fail(refusal);
      return;
    }
    Optional<URI> cli = login.cli();
    PendingLogin pending = login.pending();
    if (!usedStates.claim(pending.state(), pending.expiresAt())) {
      audit.login(null, METHOD, "failed", "state replayed: the login was finished already", remote);
      ctx.fail(
          new Refusal(
              ErrorCode.UNAUTHENTICATED,
              "single sign-on failed: this login was finished already: start again"));
      return;
    }
    URI answer;
    try {
      String query = ctx.request().query();
      answer = new URI(pending.redirectUri() + (query == null ? "" : "?" + query));
    } catch (URISyntaxException e) {
      fail(ctx, cli, new Refusal(ErrorCode.BAD_REQUEST, "the provider's answer is no valid URI"));
      return;
    }
    AtomicReference<String> who = new AtomicReference<>();
    Future.fromCompletionStage(discovery.get().provider(), ctx.vertx().getOrCreateContext())
        .compose(
            provider -> ctx.vertx().executeBlocking(() -> provider.finish(pending, answer), false))
        .compose(
            identity -> {
              who.set(identity.username());
              return accounts.admit(identity, writes, remote);
            })
        .onSuccess(token -> succeed(ctx, login, who.get(), token))
        .onFailure(
            e -> {
              Refusal refusal = refusal(e);
              String outcome =
                  refusal.code().equals(ErrorCode.ACCESS_DENIED.code()) ? "denied" : "failed";
              audit.login(who.get(), METHOD, outcome, refusal.getMessage(), remote);
              fail(ctx, cli, refusal);
            });
  }

  private void succeed(RoutingContext ctx, SsoBinding.Login login, String user, String token) {
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (login.cli().isPresent()) {
      // Only a sealed code goes into the URL: the credential waits for the CLI's verifier.
      String code = codes.issue(user, token, login.challenge().orElseThrow());
      ctx.response()
          .putHeader(HttpHeaders.LOCATION, withParam(login.cli().get(), "code", code))
          .setStatusCode(302)
          .end();
      return;
    }
    LoginApi.setCookie(ctx, token, credentialTtl);
    ctx.response().putHeader(HttpHeaders.LOCATION, "/").setStatusCode(303).end();
  }

  /**
   * {@code POST /v1/login/sso/exchange} with {@code {"code", "verifier"}}: the credential, as
   * {@code POST /v1/login} answers it.
   */
  private void exchange(RoutingContext ctx) {
    if (discovery.isEmpty()) {
      ctx.fail(notConfigured());
      return;
    }
    String remote = ClientAddress.of(ctx.request());
    JsonObject body;
    try {
      body = JsonBody.read(ctx, "an exchange", "code", "verifier");
    } catch (Refusal refusal) {
      ctx.fail(refusal);
      return;
    }
    String code = body.getString("code");
    String verifier = body.getString("verifier");
    SsoCodes.Code opened = null;
    String token;
    try {
      opened = codes.open(code);
      token = codes.redeem(opened, verifier);
    } catch (Refusal refusal) {
      audit.login(
          opened == null ? null : opened.user(),
          METHOD,
          "failed",
          "code exchange: " + refusal.getMessage(),
          remote);
      ctx.fail(refusal);
      return;
    }
    Credential credential = credentials.verify(token);
    ctx.response()
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(LoginApi.status(credential).put("token", token).encodePrettily() + "\n");
  }

  /** The CLI hears of a refusal too, so it stops waiting; a browser gets the API's error. */
  private static void fail(RoutingContext ctx, Optional<URI> cli, Refusal refusal) {
    if (cli.isPresent()) {
      ctx.response()
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .putHeader(HttpHeaders.LOCATION, withParam(cli.get(), "error", refusal.getMessage()))
          .setStatusCode(302)
          .end();
      return;
    }
    ctx.fail(refusal);
  }

  private static Refusal refusal(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof Refusal r) {
      return r;
    }
    if (cause instanceof OidcException) {
      return new Refusal(ErrorCode.UNAUTHENTICATED, "single sign-on failed: " + cause.getMessage());
    }
    return new Refusal(ErrorCode.INTERNAL, "single sign-on failed: " + cause);
  }

  private static Refusal unavailable(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return new Refusal(
        ErrorCode.SSO_UNAVAILABLE,
        "single sign-on is not available yet: the provider could not be discovered ("
            + cause.getMessage()
            + ")");
  }

  private static Refusal notConfigured() {
    return new Refusal(
        ErrorCode.NOT_FOUND, "single sign-on is not configured on this proxy (proxy.auth.oidc)");
  }

  /**
   * The CLI's address: plain http on a loopback literal with a port, nothing a page elsewhere could
   * receive the code at.
   */
  static URI loopback(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cli: not a URI: " + e.getReason());
    }
    String host = uri.getHost();
    boolean loopback = "127.0.0.1".equals(host) || "[::1]".equals(host);
    if (!"http".equals(uri.getScheme())
        || !loopback
        || uri.getPort() < 1
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "cli must be http://127.0.0.1:PORT/… or http://[::1]:PORT/… with no query: the CLI's own"
              + " loopback listener");
    }
    return uri;
  }

  private static String withParam(URI base, String name, String value) {
    return base + "?" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
