package io.gatehouse.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Short-lived user credentials: compact JWTs signed with HS256 (nimbus-jose-jwt) under a key every
 * proxy of the cluster derives from the cluster secret, so any proxy verifies what another issued.
 *
 * <p>A credential has the header {@code typ: gatehouse-credential+jwt} and the claims {@code
 * iss=gatehouse}, {@code use=credential}, {@code sub}, {@code roles}, {@code iat}, {@code exp},
 * {@code jti} (128 random bits in hex) and {@code amr} (the login method). {@link #verify} demands
 * the type, the issuer and {@code use}, so an app assertion ({@link AppAssertions}, ES256, no
 * {@code use}) never passes as a credential. Clock skew of {@link #CLOCK_SKEW} is tolerated.
 * Thread-safe.
 */
public final class Credentials {
  public static final Duration DEFAULT_TTL = Duration.ofHours(12);
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
  public static final String ISSUER = "gatehouse";
  public static final String TYPE = "gatehouse-credential+jwt";
  public static final String METHOD_PASSWORD = "password";
  public static final String METHOD_SSO = "sso";
  public static final int KEY_BYTES = 32;

  private static final JOSEObjectType JOSE_TYPE = new JOSEObjectType(TYPE);
  private static final String USE = "use";
  private static final String CREDENTIAL = "credential";

  /** Login methods, and the proxy's scoped ones: {@code app:<name>}, {@code app-code:<name>}. */
  private static final Pattern METHOD = Pattern.compile("[a-z0-9_-]{1,32}(:[a-z0-9-]{1,63})?");

  // Far above any credential we issue; refusing more up front bounds the work a caller can cause.
  private static final int MAX_TOKEN_LENGTH = 8192;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  /**
   * @param key the 32-byte HMAC key derived from the cluster secret
   */
  public Credentials(byte[] key, Clock clock) {
    if (key == null || key.length != KEY_BYTES) {
      throw new AccessException("a credential key is " + KEY_BYTES + " bytes");
    }
    try {
      this.signer = new MACSigner(key.clone());
      this.verifier = new MACVerifier(key.clone());
    } catch (JOSEException e) {
      throw new AccessException("cannot use the credential key: " + e.getMessage(), e);
    }
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A new credential for {@code user}, valid for {@code ttl} from now.
   *
   * @param method how the user logged in: {@link #METHOD_PASSWORD} or {@link #METHOD_SSO}
   */
  public String issue(String user, List<String> roles, Duration ttl, String method) {
    Objects.requireNonNull(user, "user");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a credential's time to live must be positive");
    }
    if (method == null || !METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("invalid login method '" + method + "'");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .claim(USE, CREDENTIAL)
            .subject(user)
            .claim("roles", List.copyOf(roles))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(randomId())
            .claim("amr", List.of(method))
            .build();
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSE_TYPE).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AccessException("cannot sign a credential: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * The credential {@code token} stands for.
   *
   * @throws CredentialException with a short reason; never with the token
   */
  public Credential verify(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw new CredentialException(CredentialException.MALFORMED);
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new CredentialException(CredentialException.MALFORMED);
    }
    JWSHeader header = jwt.getHeader();
    if (!JWSAlgorithm.HS256.equals(header.getAlgorithm()) || !JOSE_TYPE.equals(header.getType())) {
      throw new CredentialException(CredentialException.NOT_A_CREDENTIAL);
    }
    try {
      if (!jwt.verify(verifier)) {
        throw new CredentialException(CredentialException.INVALID_SIGNATURE);
      }
    } catch (JOSEException e) {
      throw new CredentialException(CredentialException.INVALID_SIGNATURE);
    }
    try {
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer()) || !CREDENTIAL.equals(claims.getStringClaim(USE))) {
        throw new CredentialException(CredentialException.NOT_A_CREDENTIAL);
      }
      String user = claims.getSubject();
      List<String> roles = claims.getStringListClaim("roles");
      Date iat = claims.getIssueTime();
      Date exp = claims.getExpirationTime();
      String id = claims.getJWTID();
      List<String> amr = claims.getStringListClaim("amr");
      if (user == null
          || roles == null
          || roles.contains(null)
          || iat == null
          || exp == null
          || id == null
          || amr == null
          || amr.size() != 1
          || amr.get(0) == null) {
        throw new CredentialException(CredentialException.MALFORMED);
      }
      Instant now = clock.instant();
      if (!now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
        throw new CredentialException(CredentialException.EXPIRED);
      }
      if (now.plus(CLOCK_SKEW).isBefore(iat.toInstant())) {
        throw new CredentialException(CredentialException.NOT_YET_VALID);
      }
      return new Credential(user, roles, iat.toInstant(), exp.toInstant(), id, amr.get(0));
    } catch (ParseException e) {
      throw new CredentialException(CredentialException.MALFORMED);
    }
  }

  /** 128 random bits as 32 hex digits: the {@code jti} of credentials and app assertions. */
  static String randomId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }
}
