package io.gatehouse.proxy.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The one-time code that {@code gatehouse login --sso} trades for its credential, so the credential
 * never travels in a URL (browser history, a proxy's or a browser extension's logs): the browser
 * brings the CLI's loopback listener only {@code ?code=…}, and the CLI posts it with the verifier
 * whose SHA-256 challenge (PKCE's S256, RFC 7636) it sent when it started the login.
 *
 * <p>A code is the credential and the challenge sealed ({@link Sealer}: JWE, a key derived for
 * {@link io.gatehouse.pki.ClusterSecret.Purpose#SSO_CODE}) for {@link #TTL}: any proxy of the
 * cluster redeems it, and what the browser saw reveals nothing. {@link #redeem} wants the verifier
 * that matches and takes a code once on this proxy; a mismatched verifier does not use it up, as
 * the code is worth nothing without the verifier only the CLI holds. Thread-safe.
 */
final class SsoCodes {
  static final Duration TTL = Duration.ofSeconds(60);
  static final String TYPE = "gatehouse-sso-code+jwt";

  /** RFC 7636, section 4.1: 43 to 128 unreserved characters. */
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  /** The S256 challenge: a SHA-256 digest in base64url without padding. */
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

  private static final SecureRandom RANDOM = new SecureRandom();

  /** An opened code: whose credential it is, until when, and the challenge it was issued for. */
  record Code(String id, String user, String credential, String challenge, Instant expiresAt) {
    @Override
    public String toString() {
      return "Code[user=" + user + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Sealer sealer;
  private final UsedLinks used;

  /**
   * @param key the key derived for {@link io.gatehouse.pki.ClusterSecret.Purpose#SSO_CODE}
   */
  SsoCodes(byte[] key, Clock clock) {
    this.sealer = new Sealer(key, TYPE, "the single sign-on code", clock);
    this.used = new UsedLinks(clock);
  }

  /** Whether {@code text} is an S256 challenge (43 base64url characters). */
  static boolean isChallenge(String text) {
    return text != null && CHALLENGE.matcher(text).matches();
  }

  /** The S256 challenge of {@code verifier}. */
  static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      // SHA-256 is required of every Java platform.
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  /**
   * A code for {@code user}'s {@code credential}, redeemable with the verifier of {@code
   * challenge}.
   */
  String issue(String user, String credential, String challenge) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return sealer.seal(
        new JWTClaimsSet.Builder()
            .jwtID(HexFormat.of().formatHex(id))
            .subject(user)
            .claim("credential", credential)
            .claim("challenge", challenge)
            .build(),
        TTL);
  }

  /**
   * What {@code code} holds.
   *
   * @throws Refusal {@code 400} when it is malformed, tampered with, from another cluster or
   *     expired
   */
  Code open(String code) {
    JWTClaimsSet claims = sealer.open(code);
    try {
      Code c =
          new Code(
              claims.getJWTID(),
              claims.getSubject(),
              claims.getStringClaim("credential"),
              claims.getStringClaim("challenge"),
              claims.getExpirationTime().toInstant());
      if (c.id() == null || c.user() == null || c.credential() == null || c.challenge() == null) {
        throw new ParseException("incomplete", 0);
      }
      return c;
    } catch (ParseException e) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST, "the single sign-on code is incomplete: start again");
    }
  }

  /**
   * The credential of {@code code}, once, for the verifier of its challenge.
   *
   * @throws Refusal {@code 400} for a verifier that is no PKCE verifier; {@code 401} when it does
   *     not match the code's challenge, or the code was redeemed already
   */
  String redeem(Code code, String verifier) {
    if (verifier == null || !VERIFIER.matcher(verifier).matches()) {
      throw new Refusal(
          ErrorCode.BAD_REQUEST,
          "the verifier is 43 to 128 characters of A-Z, a-z, 0-9 and -._~ (RFC 7636)");
    }
    if (!MessageDigest.isEqual(
        challenge(verifier).getBytes(StandardCharsets.US_ASCII),
        code.challenge().getBytes(StandardCharsets.US_ASCII))) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED,
          "the verifier does not match this single sign-on code: it belongs to another login");
    }
    if (!used.claim(code.id(), code.expiresAt())) {
      throw new Refusal(
          ErrorCode.UNAUTHENTICATED, "this single sign-on code was redeemed already: start again");
    }
    return code.credential();
  }
}
