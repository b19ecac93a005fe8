package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credentials;
import io.gatehouse.events.Lock;
import io.gatehouse.events.User;
import io.gatehouse.oidc.OidcException;
import io.gatehouse.oidc.OidcProvider;
import io.gatehouse.oidc.PendingLogin;
import io.gatehouse.oidc.PendingLogins;
import io.gatehouse.oidc.SsoIdentity;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.config.AuthSettings;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Single sign-on through the OpenID Connect provider of {@code proxy.auth.oidc} (docs/security.md,
 * "Single sign-on"):
 *
 * <ul>
 *   <li>{@code GET /v1/login/sso[?cli=http://127.0.0.1:PORT/PATH]} sends the browser to the
 *       provider (302), remembering the login ({@link PendingLogins}) and, for {@code gatehouse
 *       login --sso}, the CLI's loopback address; it also sets the {@value #BINDING} cookie, so
 *       only the browser that started a login can finish it (no login CSRF);
 *   <li>{@code GET /v1/login/sso/callback?code&state} checks the answer ({@link
 *       OidcProvider#finish}, off the event loop), writes or refreshes the user ({@code origin:
 *       sso}, no password, roles from the claims), issues a credential ({@code amr: sso}) and
 *       either redirects to the CLI's loopback address with {@code ?token=…} or sets the {@value
 *       Authenticator#COOKIE} cookie and sends the browser to {@code /}.
 * </ul>
 *
 * A provider's user never takes over a local user of the same name, and a locked user is refused.
 * Every callback is audited ({@code user.login}, method {@code sso}). Without {@code
 * proxy.auth.oidc} both answer {@code 404}; before the provider is discovered, {@code 503
 * sso-unavailable} with the reason.
 */
public final class SsoLogin {
  /**
   * Binds a login to the browser that started it; Lax, as the provider's redirect is cross-site.
   */
  static final String BINDING = "__Host-gatehouse_sso";

  public static final String START_PATH = "/v1/login/sso";
  public static final String METHOD = "sso";
  public static final String ORIGIN = "sso";

  private final AuthSettings settings;
  private final Optional<OidcDiscovery> discovery;
  private final Supplier<URI> redirectUrl;
  private final UserDirectory directory;
  private final Credentials credentials;
  private final AuditLog audit;
  private final Clock clock;
  private final PendingLogins pending;

  /** The CLI's loopback address of each pending login that has one, bounded like the logins. */
  private final Map<String, URI> cliByState =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, URI> eldest) {
              return size() > PendingLogins.DEFAULT_CAPACITY;
            }
          });

  /**
   * @param discovery the provider; empty when single sign-on is not configured
   * @param redirectUrl the callback registered at the provider (known once the port is bound)
   */
  public SsoLogin(
      AuthSettings settings,
      Optional<OidcDiscovery> discovery,
      Supplier<URI> redirectUrl,
      UserDirectory directory,
      Credentials credentials,
      AuditLog audit,
      Clock clock) {
    this.settings = settings;
    this.discovery = discovery;
    this.redirectUrl = redirectUrl;
    this.directory = directory;
    this.credentials = credentials;
    this.audit = audit;
    this.clock = clock;
    this.pending =
        new PendingLogins(PendingLogins.DEFAULT_TTL, PendingLogins.DEFAULT_CAPACITY, clock);
  }

  /** The default callback: {@code https://<publicHost>[:port]/v1/login/sso/callback}. */
  public static URI defaultRedirectUrl(String publicHost, int port) {
    return URI.create(
        "https://" + publicHost + (port == 443 ? "" : ":" + port) + AuthSettings.SSO_CALLBACK_PATH);
  }

  /** Mounts both endpoints; users are written through {@code writes}. */
  public void mount(Router r, UserWrites writes) {
    r.get(START_PATH).handler(this::start);
    r.get(AuthSettings.SSO_CALLBACK_PATH).handler(ctx -> callback(ctx, writes));
  }

  private void start(RoutingContext ctx) {
    if (discovery.isEmpty()) {
      ctx.fail(notConfigured());
      return;
    }
    Optional<URI> cli;
    try {
      cli = Optional.ofNullable(ctx.request().getParam("cli")).map(SsoLogin::loopback);
    } catch (IllegalArgumentException e) {
      ctx.fail(new Refusal(ErrorCode.BAD_REQUEST, e.getMessage()));
      return;
    }
    Future.fromCompletionStage(discovery.get().provider(), ctx.vertx().getOrCreateContext())
        .onFailure(e -> ctx.fail(unavailable(e)))
        .onSuccess(
            provider -> {
              PendingLogin login = provider.start(redirectUrl.get());
              pending.add(login);
              cli.ifPresent(uri -> cliByState.put(login.state(), uri));
              ctx.response()
                  .putHeader(
                      HttpHeaders.SET_COOKIE,
                      BINDING
                          + "="
                          + binding(login.state())
                          + "; Path=/; Max-Age="
                          + PendingLogins.DEFAULT_TTL.toSeconds()
                          + "; Secure; HttpOnly; SameSite=Lax")
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
    String remote = ApiGuard.remote(ctx.request());
    String state = ctx.request().getParam("state");
    Optional<PendingLogin> login = pending.take(state);
    Optional<URI> cli = Optional.ofNullable(state == null ? null : cliByState.remove(state));
    // The binding has done its work, whatever the outcome.
    ctx.response()
        .putHeader(
            HttpHeaders.SET_COOKIE,
            BINDING + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
    if (login.isEmpty()) {
      audit.login(
          null, METHOD, "failed", "state mismatch: no such login, or used or expired", remote);
      ctx.fail(
          new Refusal(
              ErrorCode.UNAUTHENTICATED,
              "single sign-on failed: this answer belongs to no login in progress here (used,"
                  + " expired, or started on another proxy): start again"));
      return;
    }
    Cookie bound = ctx.request().getCookie(BINDING);
    if (bound == null || !same(bound.getValue(), binding(state))) {
      audit.login(null, METHOD, "failed", "the login was started in another browser", remote);
      fail(
          ctx,
          cli,
          new Refusal(
              ErrorCode.UNAUTHENTICATED,
              "single sign-on failed: the login was started in another browser: start again"));
      return;
    }
    URI answer;
    try {
      String query = ctx.request().query();
      answer = new URI(login.get().redirectUri() + (query == null ? "" : "?" + query));
    } catch (URISyntaxException e) {
      fail(ctx, cli, new Refusal(ErrorCode.BAD_REQUEST, "the provider's answer is no valid URI"));
      return;
    }
    AtomicReference<String> who = new AtomicReference<>();
    Future.fromCompletionStage(discovery.get().provider(), ctx.vertx().getOrCreateContext())
        .compose(
            provider ->
                ctx.vertx().executeBlocking(() -> provider.finish(login.get(), answer), false))
        .compose(
            identity -> {
              who.set(identity.username());
              return admit(identity, writes, remote);
            })
        .onSuccess(token -> succeed(ctx, cli, token))
        .onFailure(
            e -> {
              Refusal refusal = refusal(e);
              String outcome =
                  refusal.code().equals(ErrorCode.ACCESS_DENIED.code()) ? "denied" : "failed";
              audit.login(who.get(), METHOD, outcome, refusal.getMessage(), remote);
              fail(ctx, cli, refusal);
            });
  }

  /** Writes the user (unless a local user or a lock stands in the way), then a credential. */
  private Future<String> admit(SsoIdentity identity, UserWrites writes, String remote) {
    String name = identity.username();
    try {
      UserNames.check(name);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(
          new Refusal(
              ErrorCode.ACCESS_DENIED,
              "the provider's user name is no Gatehouse user name: " + e.getMessage()));
    }
    Optional<Lock> lock = directory.lock(name);
    if (lock.isPresent()) {
      return Future.failedFuture(new Refusal(ErrorCode.ACCESS_DENIED, Locks.describe(lock.get())));
    }
    AtomicReference<Optional<User>> was = new AtomicReference<>();
    return writes
        .update(
            name,
            before -> {
              was.set(before);
              if (before.isPresent() && !ORIGIN.equals(before.get().getOrigin())) {
                throw new Refusal(
                    ErrorCode.ACCESS_DENIED,
                    "user "
                        + name
                        + " is a local user: a single sign-on login cannot take that account"
                        + " over (an operator may remove or rename it)");
              }
              if (before.isPresent() && before.get().getRoles().equals(identity.roles())) {
                return before.get();
              }
              java.time.Instant now = clock.instant();
              return User.newBuilder()
                  .setName(name)
                  .setRoles(identity.roles())
                  .setPasswordHash(null)
                  .setOrigin(ORIGIN)
                  .setRevision(before.map(u -> u.getRevision() + 1).orElse(1L))
                  .setCreatedAt(before.map(User::getCreatedAt).orElse(now))
                  .setUpdatedAt(now)
                  .setUpdatedBy(METHOD)
                  .build();
            })
        .map(
            user -> {
              Optional<User> before = was.get();
              if (before.isEmpty() || before.get() != user) {
                audit.accountChanged(
                    before.isEmpty() ? AuditLog.USER_CREATE : AuditLog.USER_UPDATE,
                    "user/" + name,
                    METHOD,
                    before.map(SsoLogin::describe).orElse(null),
                    describe(user),
                    remote);
              }
              String token =
                  credentials.issue(name, user.getRoles(), settings.credentialTtl(), METHOD);
              audit.login(name, METHOD, "ok", null, remote);
              return token;
            });
  }

  private void succeed(RoutingContext ctx, Optional<URI> cli, String token) {
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (cli.isPresent()) {
      ctx.response()
          .putHeader(HttpHeaders.LOCATION, withParam(cli.get(), "token", token))
          .setStatusCode(302)
          .end();
      return;
    }
    LoginApi.setCookie(ctx, token, settings.credentialTtl());
    ctx.response().putHeader(HttpHeaders.LOCATION, "/").setStatusCode(303).end();
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
   * receive the token at.
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

  /** The cookie holds a hash of the state, so the state itself is never in a cookie jar. */
  private static String binding(String state) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8));
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String describe(User u) {
    return new JsonObject()
        .put("name", u.getName())
        .put("roles", new JsonArray(new java.util.ArrayList<>(u.getRoles())))
        .put("origin", u.getOrigin())
        .put("revision", u.getRevision())
        .encode();
  }
}
