package io.gatehouse.proxy.auth;

import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Verb;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.listener.RequestHost;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The API's doors: every route but health and readiness goes through {@link #requires}, which
 * authenticates the caller and checks the route's rule (resource × verb) against their roles; a
 * refusal is audited. Writes also go through {@link #write}: a body that is JSON or YAML only (an
 * HTML form can send neither), an {@code Origin}, when a browser sends one, of this very host, and,
 * when the credential came in a cookie, the credential's CSRF token in {@value #CSRF_HEADER}.
 */
public final class ApiGuard {
  /** Where a browser's script sends the CSRF token of its login. */
  public static final String CSRF_HEADER = "Gatehouse-Csrf";

  private static final String PRINCIPAL = "gatehouse.principal";

  private final Authenticator authenticator;
  private final AuditLog audit;

  public ApiGuard(Authenticator authenticator, AuditLog audit) {
    this.authenticator = authenticator;
    this.audit = audit;
  }

  /** Authenticates the caller, who may then do whatever the handler checks itself. */
  public Handler<RoutingContext> authenticated() {
    return ctx -> {
      try {
        ctx.put(PRINCIPAL, authenticator.proxyRequest(ctx.request()));
      } catch (Refusal e) {
        ctx.fail(e);
        return;
      }
      ctx.next();
    };
  }

  /** Authenticates the caller and requires {@code verb} on {@code resource}. */
  public Handler<RoutingContext> requires(ApiResource resource, Verb verb) {
    return ctx -> {
      Principal principal;
      try {
        principal = authenticator.proxyRequest(ctx.request());
      } catch (Refusal e) {
        ctx.fail(e);
        return;
      }
      ctx.put(PRINCIPAL, principal);
      if (!principal.access().may(resource, verb)) {
        ctx.fail(denied(ctx, principal, resource, verb));
        return;
      }
      ctx.next();
    };
  }

  /** Refuses, and audits, {@code verb} on {@code resource} for {@code principal}. */
  public Refusal denied(RoutingContext ctx, Principal principal, ApiResource resource, Verb verb) {
    String action = verb.word() + " " + resource.word();
    String reason = "no role of " + principal.user() + " allows " + action;
    audit.accessDenied(
        principal.user(), null, null, action, reason, ClientAddress.of(ctx.request()));
    return new Refusal(ErrorCode.ACCESS_DENIED, reason);
  }

  /** Checks what a write must carry; see the class comment. */
  public Handler<RoutingContext> write() {
    return ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!media.equals("application/json") && !media.equals("application/yaml")) {
        ctx.fail(
            new Refusal(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "a write takes Content-Type application/json or application/yaml, not "
                    + (type == null ? "none" : "'" + type + "'")));
        return;
      }
      fromOwnPage(ctx);
    };
  }

  /**
   * Checks what a write without a body ({@code DELETE}) must carry: what {@link #write()} asks but
   * the content type, a matching {@code Origin} and, with a cookie credential, the CSRF token.
   */
  public Handler<RoutingContext> delete() {
    return this::fromOwnPage;
  }

  /** Passes a request that no page of another origin could have made the browser send. */
  private void fromOwnPage(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String host = RequestHost.of(request);
    if (origin != null && !origin.equalsIgnoreCase("https://" + host)) {
      ctx.fail(
          new Refusal(
              ErrorCode.ACCESS_DENIED,
              "a write from a page of another origin (" + origin + ") is refused"));
      return;
    }
    if (request.getHeader(HttpHeaders.AUTHORIZATION) == null) {
      // The credential came in the cookie, which a browser sends on its own: require what only
      // the dashboard's own script can know.
      Principal principal = ctx.get(PRINCIPAL);
      String csrf = request.getHeader(CSRF_HEADER);
      if (principal == null || csrf == null || !CsrfTokens.matches(principal.credential(), csrf)) {
        ctx.fail(
            new Refusal(
                ErrorCode.ACCESS_DENIED,
                "a write with a cookie credential needs the "
                    + CSRF_HEADER
                    + " header of that login"));
        return;
      }
    }
    ctx.next();
  }

  /** The caller {@link #requires} or {@link #authenticated} let in. */
  public static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("route without a guard: " + ctx.request().path());
    }
    return p;
  }
}
