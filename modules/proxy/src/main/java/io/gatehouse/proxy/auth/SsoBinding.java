package io.gatehouse.proxy.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.oidc.PendingLogin;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.util.Optional;

/**
 * The {@value #COOKIE} cookie: a single sign-on login under way, sealed ({@link Sealer}: JWE, a key
 * derived from the cluster secret for {@link io.gatehouse.pki.ClusterSecret.Purpose#SSO_LOGIN}) and
 * kept by the browser that started it, so the provider's answer may come back to any proxy of the
 * cluster, even one started since. It holds the login's state, nonce, PKCE verifier and redirect
 * URI, and for {@code gatehouse login --sso} the CLI's loopback address and the challenge of its
 * verifier; it expires with the login ({@link PendingLogin#TTL}) and opens only with the state the
 * provider sent back, so it is also what binds the answer to this browser (no login CSRF). It is
 * not single-use by itself: the callback remembers the states it finished.
 *
 * <p>Attributes: {@code Secure; HttpOnly; SameSite=Lax} (the provider's redirect back is a
 * cross-site top-level navigation, which Strict would strip it from), {@code Path=/}, and a {@code
 * Max-Age} of the login's time to live. Thread-safe.
 */
public final class SsoBinding {
  public static final String COOKIE = "__Host-gatehouse_sso";
  static final String TYPE = "gatehouse-sso-login+jwt";

  /** A login under way, and where and how to hand a CLI its credential. */
  public record Login(PendingLogin pending, Optional<URI> cli, Optional<String> challenge) {}

  private final Sealer sealer;

  /**
   * @param key the key derived for {@link io.gatehouse.pki.ClusterSecret.Purpose#SSO_LOGIN}
   */
  public SsoBinding(byte[] key, Clock clock) {
    this.sealer = new Sealer(key, TYPE, "the single sign-on cookie", clock);
  }

  /** The cookie's value for {@code login}, valid as long as the login. */
  public String seal(Login login) {
    PendingLogin p = login.pending();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .claim("state", p.state())
            .claim("nonce", p.nonce())
            .claim("verifier", p.codeVerifier())
            .claim("redirect", p.redirectUri().toString())
            .claim("authorize", p.authorizationUrl().toString());
    login.cli().ifPresent(cli -> claims.claim("cli", cli.toString()));
    login.challenge().ifPresent(c -> claims.claim("challenge", c));
    return sealer.seal(claims.build(), p.createdAt(), p.expiresAt());
  }

  /**
   * The login {@code value} holds, if the provider's answer carried its {@code state}.
   *
   * @throws Refusal {@code 400} when the cookie is tampered with, from another cluster or expired;
   *     {@code 401} when it belongs to another login than {@code state}'s
   */
  public Login open(String value, String state) {
    JWTClaimsSet claims = sealer.open(value);
    Object sealedState = claims.getClaim("state");
    if (state == null || !(sealedState instanceof String s) || !same(s, state)) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED,
          "single sign-on failed: the answer belongs to another login than this browser's (state"
              + " mismatch): start again");
    }
    try {
      PendingLogin pending =
          new PendingLogin(
              URI.create(claims.getStringClaim("authorize")),
              state,
              claims.getStringClaim("nonce"),
              claims.getStringClaim("verifier"),
              URI.create(claims.getStringClaim("redirect")),
              claims.getIssueTime().toInstant());
      return new Login(
          pending,
          Optional.ofNullable(claims.getStringClaim("cli")).map(URI::create),
          Optional.ofNullable(claims.getStringClaim("challenge")));
    } catch (ParseException | NullPointerException | IllegalArgumentException e) {
      // Authentic yet incomplete: only a proxy of another version could have sealed it.
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "the single sign-on cookie is incomplete: start again");
    }
  }

  /** Compares secrets in time independent of where they differ. */
  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code Set-Cookie} value that gives the browser {@code sealed}. */
  static String setCookie(String sealed) {
    return COOKIE
        + "="
        + sealed
        + "; Path=/; Max-Age="
        + PendingLogin.TTL.toSeconds()
        + "; Secure; HttpOnly; SameSite=Lax";
  }

  /** The {@code Set-Cookie} value that makes the browser forget the cookie. */
  static String clearCookie() {
    return COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax";
  }
}
