package io.gatehouse.proxy.auth;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.relay.ErrorCode;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;

/**
 * Seals short-lived values that a client carries from one proxy to any other: a JWT encrypted and
 * authenticated as a JWE (nimbus-jose-jwt; {@code alg: dir}, {@code enc: A256GCM}) under a 32-byte
 * key every proxy of the cluster derives from the cluster secret, one key per {@link
 * io.gatehouse.pki.ClusterSecret.Purpose}. The header names the value's type ({@code typ}, checked
 * on opening, and authenticated with the content), and the claims carry an expiry ({@code exp}).
 *
 * <p>{@link #open} accepts only what this key sealed for this type, unaltered and unexpired; it
 * refuses with {@code 400 bad-request} naming the value and the reason, never quoting it. A sealed
 * value is not single-use by itself: its users remember what they accepted ({@link UsedLinks}).
 * Thread-safe.
 */
public final class Sealer {
  /** Far above anything sealed here; refusing more up front bounds the work a caller can cause. */
  static final int MAX_LENGTH = 4096;

  private final DirectEncrypter encrypter;
  private final DirectDecrypter decrypter;
  private final JOSEObjectType type;
  private final String what;
  private final Clock clock;

  /**
   * @param key the 32-byte key derived from the cluster secret for this use
   * @param type the JOSE {@code typ} of the values, e.g. {@code gatehouse-sso-login+jwt}
   * @param what how refusals name the value, e.g. {@code the single sign-on cookie}
   */
  public Sealer(byte[] key, String type, String what, Clock clock) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("a sealing key is 32 bytes");
    }
    try {
      this.encrypter = new DirectEncrypter(key.clone());
      this.decrypter = new DirectDecrypter(key.clone());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot use the sealing key: " + e.getMessage(), e);
    }
    this.type = new JOSEObjectType(Objects.requireNonNull(type, "type"));
    this.what = Objects.requireNonNull(what, "what");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Seals {@code claims}, adding {@code iat} now and {@code exp} after {@code ttl}. */
  public String seal(JWTClaimsSet claims, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a sealed value's time to live must be positive");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    return seal(claims, now, now.plus(ttl));
  }

  /** Seals {@code claims} as issued at {@code issuedAt} and valid until {@code expiresAt}. */
  public String seal(JWTClaimsSet claims, Instant issuedAt, Instant expiresAt) {
    EncryptedJWT jwt =
        new EncryptedJWT(
            new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM).type(type).build(),
            new JWTClaimsSet.Builder(claims)
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .build());
    try {
      jwt.encrypt(encrypter);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot seal " + what + ": " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * The claims {@code sealed} holds.
   *
   * @throws Refusal {@code 400}: malformed, tampered with, sealed with another key or for another
   *     type, or expired
   */
  public JWTClaimsSet open(String sealed) {
    if (sealed == null || sealed.isEmpty() || sealed.length() > MAX_LENGTH) {
      throw refused("is malformed");
    }
    JWTClaimsSet claims;
    try {
      EncryptedJWT jwt = EncryptedJWT.parse(sealed);
      JWEHeader header = jwt.getHeader();
      // Only what seal() writes: no compression (no inflating a caller's bytes), no other cipher.
      if (!JWEAlgorithm.DIR.equals(header.getAlgorithm())
          || !EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())
          || header.getCompressionAlgorithm() != null
          || !type.equals(header.getType())) {
        throw refused("is not one this proxy seals");
      }
      jwt.decrypt(decrypter);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw refused("is tampered with, or was sealed by another cluster");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null || !clock.instant().isBefore(exp.toInstant())) {
      throw refused("has expired");
    }
    return claims;
  }

  private Refusal refused(String why) {
    return new Refusal(ErrorCode.BAD_REQUEST, what + " " + why + ": start again");
  }
}
