package io.gatehouse.proxy.auth;

import io.gatehouse.access.Access;
import io.gatehouse.access.Credential;
import io.gatehouse.access.CredentialException;
import io.gatehouse.access.Credentials;
import io.gatehouse.events.Lock;
import io.gatehouse.events.User;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the credential a request carries into a {@link Principal}, or refuses it: the credential
 * must verify (signature, expiry), not have been revoked (a logout locks it on every proxy until it
 * expires), name a user who exists, was issued after that user was created (a removed and re-added
 * name does not inherit old credentials), and the user must not be locked. The user's roles are
 * read now, not from the credential, so a role change counts at once.
 *
 * <p>Where the credential is: {@code Authorization: Bearer …} or the {@value #COOKIE} cookie on the
 * proxy's own host (API, dashboard, tunnels); {@value #APP_HEADER}{@code : Bearer …} or the {@value
 * #APP_COOKIE} cookie on app hosts, where {@code Authorization} belongs to the app. Messages never
 * contain the credential. Thread-safe.
 */
public final class Authenticator {
  /** The browser's credential on the proxy's host: {@code __Host-}, so no subdomain can set it. */
  public static final String COOKIE = "__Host-gatehouse";

  /** The browser's credential on one app's host, for that app only. */
  public static final String APP_COOKIE = "__Host-gatehouse_app";

  /** How a script sends its credential to an app (a {@code Gatehouse-} header never passes on). */
  public static final String APP_HEADER = "Gatehouse-Authorization";

  /** The method of a login link's code, which is traded once for a login and is no credential. */
  public static final String LINK_METHOD = "link";

  /**
   * The method prefix of a browser's credential for one app ({@code app:<name>}): good on that
   * app's host only, never on the API or another app.
   */
  public static final String APP_METHOD = "app:";

  /** The method prefix of the one-time code the proxy's host hands an app's host. */
  public static final String APP_CODE_METHOD = "app-code:";

  private static final String BEARER = "bearer ";
  private static final Duration SKEW = Duration.ofSeconds(30);

  /** Credentials verified recently, by their exact text: a keep-alive stream verifies once. */
  private static final int MAX_VERIFIED = 10_000;

  private final Credentials credentials;
  private final UserDirectory directory;
  private final Clock clock;
  private final Map<String, Credential> verified = new ConcurrentHashMap<>();

  public Authenticator(Credentials credentials, UserDirectory directory, Clock clock) {
    this.credentials = credentials;
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * {@link #verify}, remembered: the same text verified before and not expired since is the same
   * credential, so only the first request of a stream pays for the signature check (about 10 µs).
   */
  private Credential verified(String token) {
    Credential known = verified.get(token);
    if (known != null) {
      if (clock.instant().isBefore(known.expiresAt())) {
        return known;
      }
      verified.remove(token);
    }
    Credential fresh = verify(token);
    if (verified.size() >= MAX_VERIFIED) {
      verified.clear();
    }
    verified.put(token, fresh);
    return fresh;
  }

  /** Verifies a token as {@link Credentials#verify} does, with the refusal as a Refusal. */
  public Credential verify(String token) {
    try {
      return credentials.verify(token);
    } catch (CredentialException e) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "the credential is not valid (" + e.getMessage() + ")");
    }
  }

  /** The principal of a request to the proxy's own host (API, dashboard, tunnels). */
  public Principal proxyRequest(HttpServerRequest request) {
    return principal(bearer(request.getHeader(HttpHeaders.AUTHORIZATION), request, COOKIE));
  }

  /**
   * The principal of a request to app {@code app}'s host: a user's credential in {@value
   * #APP_HEADER}, or the browser's app cookie, which must have been issued for this very app.
   */
  public Principal appRequest(HttpServerRequest request, String app) {
    String header = request.getHeader(APP_HEADER);
    if (header != null) {
      return principal(bearer(header, request, APP_COOKIE));
    }
    Optional<String> cookie = bearer(null, request, APP_COOKIE);
    if (cookie.isEmpty()) {
      return principal(cookie);
    }
    Credential credential = verified(cookie.get());
    if (!(APP_METHOD + app).equals(credential.method())) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "the app cookie is not for " + app + ": open the app again");
    }
    return checked(credential);
  }

  /** Whether the request carries any credential for an app's host. */
  public static boolean hasAppCredential(HttpServerRequest request) {
    return request.getHeader(APP_HEADER) != null || request.getCookie(APP_COOKIE) != null;
  }

  /**
   * The principal of a credential.
   *
   * @throws Refusal {@code 401 unauthenticated} for a missing, invalid or expired credential or an
   *     unknown user, {@code 403 access-denied} for a locked user
   */
  public Principal principal(Optional<String> token) {
    if (token.isEmpty()) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED,
          "log in first: no credential (`gatehouse login`, or Authorization: Bearer …)");
    }
    Credential credential = verified(token.get());
    String method = credential.method();
    if (LINK_METHOD.equals(method)) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "a login link's code is not a credential: open the link");
    }
    if (method.startsWith(APP_METHOD) || method.startsWith(APP_CODE_METHOD)) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "an app's cookie is good on that app only, not here");
    }
    return checked(credential);
  }

  /**
   * The principal of a verified credential: its user must exist, have been created before it was
   * issued, and not be locked.
   */
  Principal checked(Credential credential) {
    if (directory.revocation(credential.id()).isPresent()) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "the credential was revoked (logged out): log in again");
    }
    String name = credential.user();
    Optional<User> user = directory.user(name);
    if (user.isEmpty() || credential.issuedAt().plus(SKEW).isBefore(user.get().getCreatedAt())) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "the credential is not valid (no user " + name + ")");
    }
    Optional<Lock> lock = directory.lock(name);
    if (lock.isPresent()) {
      throw new Refusal(ErrorCode.ACCESS_DENIED, Locks.describe(lock.get()));
    }
    Access access = directory.access(name).orElseGet(() -> Access.none(name));
    return new Principal(name, access, credential);
  }

  /**
   * The credential a request to the proxy's own host carries ({@code Authorization: Bearer …} or
   * the {@value #COOKIE} cookie), if any: what a logout revokes.
   */
  public static Optional<String> proxyCredential(HttpServerRequest request) {
    return bearer(request.getHeader(HttpHeaders.AUTHORIZATION), request, COOKIE);
  }

  private static Optional<String> bearer(
      String header, HttpServerRequest request, String cookieName) {
    if (header != null) {
      if (header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        String token = header.substring(BEARER.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
      }
      return Optional.empty();
    }
    Cookie cookie = request.getCookie(cookieName);
    return cookie == null || cookie.getValue().isEmpty()
        ? Optional.empty()
        : Optional.of(cookie.getValue());
  }
}
