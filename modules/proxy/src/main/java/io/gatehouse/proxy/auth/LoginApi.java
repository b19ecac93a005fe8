package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import io.gatehouse.access.Credentials;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.events.Lock;
import io.gatehouse.events.User;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.config.AuthSettings;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Password login and the caller's own status: {@code POST /v1/login} ({@code {"user", "password"}}
 * → a credential, also set as the {@value Authenticator#COOKIE} cookie when asked with {@code
 * "cookie": true}), {@code GET /v1/whoami}, {@code POST /v1/logout} (revokes the credential the
 * request carries, bearer or cookie, on every proxy until it expires, and clears the cookie). Every
 * attempt is audited; failures are throttled per user and per address ({@link LoginThrottle}); an
 * unknown user costs as much as a wrong password, so timing does not tell which names exist. A
 * login's answer (success or not, once the password was checked) carries {@code Server-Timing:
 * hash;dur=…}, the milliseconds its password hash took.
 */
public final class LoginApi {
  private static final int BODY_LIMIT = 4 * 1024;

  /** The {@link ServerTiming} metric of a login's password hash verification. */
  public static final String HASH_TIMING = "hash";

  /** The login method ({@code amr}) of a credential a login link was traded for. */
  static final String LINK_LOGIN = "login-link";

  private final AuthSettings settings;
  private final UserDirectory directory;
  private final PasswordHasher hasher;
  private final Credentials credentials;
  private final LoginThrottle throttle;
  private final ApiGuard guard;
  private final AuditLog audit;
  private final Authenticator authenticator;
  private final UsedLinks usedLinks;

  public LoginApi(
      AuthSettings settings,
      UserDirectory directory,
      PasswordHasher hasher,
      Credentials credentials,
      LoginThrottle throttle,
      ApiGuard guard,
      AuditLog audit,
      Authenticator authenticator,
      java.time.Clock clock) {
    this.authenticator = authenticator;
    this.usedLinks = new UsedLinks(clock);
    this.settings = settings;
    this.directory = directory;
    this.hasher = hasher;
    this.credentials = credentials;
    this.throttle = throttle;
    this.guard = guard;
    this.audit = audit;
  }

  /** Mounts the routes; a logout revokes through {@code revocations}. */
  public void mount(Router r, Revocations revocations) {
    r.post("/v1/login").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT)).handler(this::login);
    r.get("/v1/whoami").handler(guard.authenticated()).handler(this::whoami);
    r.post("/v1/logout")
        .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
        .handler(ctx -> logout(ctx, revocations));
    r.get("/v1/login/link").handler(this::link);
  }

  /**
   * {@code GET /v1/login/link?code=…}: trades a login link's code (dev mode prints one) for a
   * browser login, once: the cookie is set and the browser sent to the dashboard.
   */
  private void link(RoutingContext ctx) {
    String remote = ClientAddress.of(ctx.request());
    String code = ctx.request().getParam("code");
    if (code == null) {
      ctx.fail(new Refusal(ErrorCode.BAD_REQUEST, "a login link carries ?code=…"));
      return;
    }
    Credential link = authenticator.verify(code);
    if (!Authenticator.LINK_METHOD.equals(link.method()) || !usedLinks.claim(link)) {
      audit.login(link.user(), "link", "failed", "not a login link, or used already", remote);
      ctx.fail(
          new Refusal(
              ErrorCode.UNAUTHENTICATED, "this login link was used already or is no login link"));
      return;
    }
    authenticator.checked(link);
    User user = directory.user(link.user()).orElseThrow();
    // Not LINK_METHOD: a credential of that method is a link's code, which never lets anyone in.
    String token =
        credentials.issue(link.user(), user.getRoles(), settings.credentialTtl(), LINK_LOGIN);
    audit.login(link.user(), "link", "ok", null, remote);
    setCookie(ctx, token, settings.credentialTtl());
    ctx.response()
        .putHeader(HttpHeaders.LOCATION, "/")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .setStatusCode(303)
        .end();
  }

  private void login(RoutingContext ctx) {
    String remote = ClientAddress.of(ctx.request());
    JsonObject body;
    try {
      body = JsonBody.read(ctx, "a login", "user", "password");
    } catch (Refusal refusal) {
      ctx.fail(refusal);
      return;
    }
    String name = body.getString("user");
    String password = body.getString("password");
    if (name.isBlank()) {
      ctx.fail(
          new Refusal(
              ErrorCode.BAD_REQUEST,
              "a login is a JSON object with the strings \"user\" and \"password\""));
      return;
    }
    if (!settings.localEnabled()) {
      ctx.fail(
          new Refusal(
              ErrorCode.ACCESS_DENIED, "password login is disabled here (proxy.auth.local)"));
      return;
    }
    boolean cookie = Boolean.TRUE.equals(body.getValue("cookie"));
    Optional<Duration> wait = throttle.blocked(name, remote);
    if (wait.isPresent()) {
      audit.login(name, "password", "failed", "rate-limited", remote);
      long seconds = Math.max(1, wait.get().toSeconds());
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
      ctx.fail(
          new Refusal(
              ErrorCode.RATE_LIMITED,
              "too many failed logins for this user or from this address; try again in "
                  + seconds
                  + " s"));
      return;
    }
    char[] secret = password.toCharArray();
    ctx.vertx()
        .executeBlocking(() -> check(name, secret), false)
        .onComplete(
            ar -> {
              Arrays.fill(secret, '\0');
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              // The same work for every answer (unknown user or not), so it tells no secret.
              ctx.response()
                  .putHeader(
                      ServerTiming.HEADER, ServerTiming.of(HASH_TIMING, ar.result().nanos()));
              User user = ar.result().user().orElse(null);
              if (user == null) {
                throttle.failed(name, remote);
                audit.login(name, "password", "failed", "wrong user name or password", remote);
                ctx.fail(new Refusal(ErrorCode.UNAUTHENTICATED, "wrong user name or password"));
                return;
              }
              Optional<Lock> lock = directory.lock(name);
              if (lock.isPresent()) {
                audit.login(name, "password", "denied", "locked", remote);
                ctx.fail(new Refusal(ErrorCode.ACCESS_DENIED, Locks.describe(lock.get())));
                return;
              }
              throttle.succeeded(name);
              String token =
                  credentials.issue(name, user.getRoles(), settings.credentialTtl(), "password");
              Credential credential = credentials.verify(token);
              audit.login(name, "password", "ok", null, remote);
              if (cookie) {
                setCookie(ctx, token, settings.credentialTtl());
              }
              json(ctx, 200, status(credential).put("token", token));
            });
  }

  /** A password check: the user when the password is theirs, and the hash's own time. */
  private record Checked(Optional<User> user, long nanos) {}

  /** The user when the password is theirs, after the same work either way. */
  private Checked check(String name, char[] password) {
    Optional<User> user = directory.user(name);
    String hash = user.map(User::getPasswordHash).orElse(null);
    long started = System.nanoTime();
    if (hash == null) {
      hasher.verifyNothing(password);
      return new Checked(Optional.empty(), System.nanoTime() - started);
    }
    boolean matches = hasher.verify(password, hash);
    return new Checked(matches ? user : Optional.empty(), System.nanoTime() - started);
  }

  private void whoami(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    JsonObject out = status(p.credential());
    out.put("roles", new JsonArray(directory.user(p.user()).map(User::getRoles).orElse(List.of())));
    json(ctx, 200, out);
  }

  /**
   * Revokes the credential the request carries and clears the cookie: {@code 200} naming the
   * credential revoked and until when, or {@code 204} when the request carried no credential that
   * still verifies and is not revoked already (nothing to revoke). It needs nothing but the
   * credential itself, so a locked or removed user can still end one; a cross-site page cannot, as
   * the cookie is {@code SameSite}.
   */
  private void logout(RoutingContext ctx, Revocations revocations) {
    ctx.response()
        .putHeader(
            HttpHeaders.SET_COOKIE,
            Authenticator.COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    Optional<String> token = Authenticator.proxyCredential(ctx.request());
    Credential credential;
    try {
      credential = token.isEmpty() ? null : authenticator.verify(token.get());
    } catch (Refusal e) {
      credential = null;
    }
    if (credential == null || directory.revocation(credential.id()).isPresent()) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    Credential revoked = credential;
    String remote = ClientAddress.of(ctx.request());
    revocations
        .revoke(revoked)
        .onSuccess(
            v -> {
              audit.logout(revoked.user(), revoked.id(), revoked.expiresAt(), remote);
              json(
                  ctx,
                  200,
                  new JsonObject()
                      .put("user", revoked.user())
                      .put("revoked", revoked.id())
                      .put("expiresAt", revoked.expiresAt().toString()));
            })
        .onFailure(ctx::fail);
  }

  static JsonObject status(Credential c) {
    return new JsonObject()
        .put("user", c.user())
        .put("roles", new JsonArray(c.roles()))
        .put("method", c.method())
        .put("expiresAt", c.expiresAt().toString())
        .put("csrf", CsrfTokens.of(c));
  }

  static void setCookie(RoutingContext ctx, String token, Duration ttl) {
    // Written by hand, as the session cookie is: Netty spells HttpOnly as HTTPOnly. Added, not
    // put: single sign-on clears its binding cookie in the same answer.
    ctx.response()
        .headers()
        .add(
            HttpHeaders.SET_COOKIE,
            Authenticator.COOKIE
                + "="
                + token
                + "; Path=/; Max-Age="
                + ttl.toSeconds()
                + "; Secure; HttpOnly; SameSite=Strict");
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encodePrettily() + "\n");
  }
}
