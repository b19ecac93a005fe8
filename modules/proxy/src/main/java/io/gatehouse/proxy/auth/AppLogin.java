package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import io.gatehouse.access.Credentials;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.listener.RequestHost;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * How a browser gets into an app: an app's host has no cookie of the proxy's (each app is its own
 * site), so a browser without one is sent to the proxy's host ({@value #START_PATH}), which, for a
 * logged-in user allowed to open the app, hands back a one-time code (60 s) to the app's host
 * ({@value #FINISH_PATH}); there the code is traded for a credential for that app only, kept in the
 * app's {@code __Host-gatehouse_app} cookie (Secure, HttpOnly, SameSite=Lax), and the browser is
 * sent on to the page it asked for. A client that is no browser gets 401 instead. An app's cookie
 * is refused on the API and on every other app.
 */
public final class AppLogin {
  /** On the proxy's host: where an app's host sends a browser without a credential. */
  public static final String START_PATH = "/v1/login/app";

  /** On an app's host, answered by the proxy (never relayed): where the code is traded. */
  public static final String FINISH_PATH = "/.gatehouse/app-login";

  private static final Duration CODE_LIFETIME = Duration.ofSeconds(60);

  private final String publicHost;
  private final Credentials credentials;
  private final Authenticator authenticator;
  private final Duration credentialTtl;
  private final AuditLog audit;
  private final UsedLinks usedCodes;

  public AppLogin(
      String publicHost,
      Credentials credentials,
      Authenticator authenticator,
      Duration credentialTtl,
      AuditLog audit,
      Clock clock) {
    this.publicHost = publicHost.toLowerCase(Locale.ROOT);
    this.credentials = credentials;
    this.authenticator = authenticator;
    this.credentialTtl = credentialTtl;
    this.audit = audit;
    this.usedCodes = new UsedLinks(clock);
  }

  /**
   * Whether {@code request} is a browser asking for a page (it can follow a redirect to log in).
   */
  public static boolean isBrowser(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)
        && accept != null
        && accept.contains("text/html");
  }

  /** Sends a browser without a credential for app {@code app} to the proxy's host to get one. */
  public void redirectToLogin(HttpServerRequest request, String app) {
    String location =
        "https://"
            + publicHost
            + port(request)
            + START_PATH
            + "?app="
            + encode(app)
            + "&then="
            + encode(request.uri());
    request
        .response()
        .setStatusCode(302)
        .putHeader(HttpHeaders.LOCATION, location)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end();
  }

  /**
   * {@code GET /v1/login/app?app=&then=} on the proxy's host, for a logged-in browser: a code for
   * the app's host, if the user may open the app. Without a login, to the dashboard to log in.
   */
  public void start(RoutingContext ctx) {
    String app = ctx.request().getParam("app");
    String then = safePath(ctx.request().getParam("then"));
    if (app == null || !io.gatehouse.config.DnsLabel.isValid(app)) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "expected ?app=<app name>");
    }
    Principal principal;
    try {
      principal = authenticator.proxyRequest(ctx.request());
    } catch (Refusal e) {
      // Not logged in here yet: the dashboard's login, then the app again.
      ctx.response()
          .setStatusCode(302)
          .putHeader(HttpHeaders.LOCATION, "/")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end();
      return;
    }
    // Whether the user may open the app is decided on the app's host, against its labels.
    String code =
        credentials.issue(
            principal.user(),
            principal.access().roles(),
            CODE_LIFETIME,
            Authenticator.APP_CODE_METHOD + app);
    ctx.response()
        .setStatusCode(302)
        .putHeader(
            HttpHeaders.LOCATION,
            "https://"
                + app
                + "."
                + publicHost
                + port(ctx.request())
                + FINISH_PATH
                + "?code="
                + encode(code)
                + "&then="
                + encode(then))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end();
  }

  /**
   * {@code GET /.gatehouse/app-login?code=&then=} on app {@code app}'s host: the code traded, once,
   * for the app's cookie; then on to the page. The app itself is authorized on the next request.
   */
  public void finish(HttpServerRequest request, String app) {
    String remote = ClientAddress.of(request);
    String code = request.getParam("code");
    if (code == null) {
      throw new Refusal(ErrorCode.BAD_REQUEST, "an app login carries ?code=…");
    }
    Credential c = authenticator.verify(code);
    if (!(Authenticator.APP_CODE_METHOD + app).equals(c.method()) || !usedCodes.claim(c)) {
      audit.login(c.user(), "app", "failed", "a code for another app, or used already", remote);
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "this app login was used already or is for another app");
    }
    Principal principal = authenticator.checked(c);
    String credential =
        credentials.issue(
            principal.user(),
            principal.access().roles(),
            credentialTtl,
            Authenticator.APP_METHOD + app);
    audit.login(principal.user(), "app", "ok", null, remote);
    request
        .response()
        .setStatusCode(302)
        .putHeader(
            HttpHeaders.SET_COOKIE,
            Authenticator.APP_COOKIE
                + "="
                + credential
                + "; Path=/; Max-Age="
                + credentialTtl.toSeconds()
                + "; Secure; HttpOnly; SameSite=Lax")
        .putHeader(HttpHeaders.LOCATION, safePath(request.getParam("then")))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end();
  }

  /** A path on this host: never another host ({@code //evil}, {@code https://…}). */
  private static String safePath(String then) {
    if (then == null) {
      return "/";
    }
    String decoded = URLDecoder.decode(then, StandardCharsets.UTF_8);
    return then.startsWith("/")
            && !then.startsWith("//")
            && !decoded.startsWith("//")
            && !then.contains("\\")
        ? then
        : "/";
  }

  private static String port(HttpServerRequest request) {
    String host = RequestHost.of(request);
    if (host == null) {
      return "";
    }
    int colon = host.lastIndexOf(':');
    int bracket = host.lastIndexOf(']');
    return colon > bracket ? host.substring(colon) : "";
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
