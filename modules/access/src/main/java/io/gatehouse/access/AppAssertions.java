package io.gatehouse.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The signed identity a proxy sends to apps as {@code Gatehouse-Jwt-Assertion}: a compact JWT,
 * ES256 (P-256) with the header {@code kid}, and the claims {@code iss=gatehouse}, {@code sub} (the
 * user), {@code roles}, {@code aud} (the app's name), {@code iat}, {@code exp} and {@code jti}. An
 * app verifies it with the proxies' public keys from {@code /.well-known/jwks.json} ({@link
 * #jwksJson}) and checks that {@code aud} is its own name, so an assertion sent to one app is no
 * good at another. Thread-safe.
 */
public final class AppAssertions {
  public static final String HEADER = "Gatehouse-Jwt-Assertion";
  public static final String ISSUER = "gatehouse";
  public static final String CURVE = "secp256r1";

  private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PEM_END = "-----END PRIVATE KEY-----";

  private final ECDSASigner signer;
  private final ECKey publicJwk;
  private final Clock clock;

  /**
   * @param ecP256 the proxy's signing key, P-256 ({@link #generateKey}, {@link #readOrCreate})
   * @param keyId the {@code kid} apps find the public key by, e.g. {@link #keyIdOf}
   */
  public AppAssertions(KeyPair ecP256, String keyId, Clock clock) {
    if (!(ecP256.getPrivate() instanceof ECPrivateKey priv)
        || !(ecP256.getPublic() instanceof ECPublicKey pub)
        || !isP256(priv.getParams())
        || !isP256(pub.getParams())) {
      throw new AccessException("an app assertion key is an EC key on P-256");
    }
    try {
      this.signer = new ECDSASigner(priv);
    } catch (JOSEException e) {
      throw new AccessException("cannot use the app assertion key: " + e.getMessage(), e);
    }
    this.publicJwk =
        new ECKey.Builder(Curve.P_256, pub)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(JWSAlgorithm.ES256)
            .keyID(Objects.requireNonNull(keyId, "keyId"))
            .build();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new P-256 key pair. */
  public static KeyPair generateKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AccessException("cannot generate a P-256 key: " + e.getMessage(), e);
    }
  }

  /**
   * The RFC 7638 thumbprint of a public key (base64url SHA-256): a {@code kid} that never clashes.
   */
  public static String keyIdOf(KeyPair key) {
    try {
      return new ECKey.Builder(Curve.P_256, (ECPublicKey) key.getPublic())
          .build()
          .computeThumbprint()
          .toString();
    } catch (JOSEException | ClassCastException e) {
      throw new AccessException("cannot compute the thumbprint of the app assertion key", e);
    }
  }

  /**
   * An assertion that {@code user}, holding {@code roles}, is calling {@code app}; valid for {@code
   * ttl} (callers use about a minute: it is made per request or per session).
   */
  public String sign(String user, List<String> roles, String app, Duration ttl) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(Objects.requireNonNull(user, "user"))
            .claim("roles", List.copyOf(roles))
            .audience(Objects.requireNonNull(app, "app"))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(Credentials.randomId())
            .build();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
            .type(JOSEObjectType.JWT)
            .keyID(publicJwk.getKeyID())
            .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AccessException("cannot sign an app assertion: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** This proxy's public key as one JWK ({@code use=sig}, {@code alg=ES256}, {@code kid}). */
  public String publicJwkJson() {
    return publicJwk.toJSONString();
  }

  /**
   * The JWKS document {@code {"keys":[…]}} of several proxies' public JWKs (private parts, if any,
   * are dropped).
   *
   * @throws AccessException when one of them is not a JWK
   */
  public static String jwksJson(Collection<String> publicJwks) {
    List<JWK> keys = new ArrayList<>();
    for (String json : publicJwks) {
      try {
        keys.add(JWK.parse(json));
      } catch (ParseException e) {
        throw new AccessException("not a JWK: " + e.getMessage(), e);
      }
    }
    return new JWKSet(keys).toString(true);
  }

  /**
   * The key pair kept in {@code pemFile} (unencrypted PKCS#8, mode 0600), made and written there
   * first when the file does not exist, so a proxy keeps its {@code kid} across restarts.
   *
   * @throws AccessException naming the file when it cannot be read or written or holds no P-256 key
   */
  public static KeyPair readOrCreate(Path pemFile) {
    try {
      return read(pemFile, Files.readString(pemFile, StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      KeyPair key = generateKey();
      write(pemFile, key);
      return key;
    } catch (IOException e) {
      throw new AccessException("cannot read the app assertion key " + pemFile + ": " + e, e);
    }
  }

  private static KeyPair read(Path file, String text) {
    int begin = text.indexOf(PEM_BEGIN);
    int end = text.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new AccessException(
          "the app assertion key " + file + " holds no PKCS#8 private key (" + PEM_BEGIN + ")");
    }
    try {
      byte[] der =
          Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end).strip());
      ECPrivateKey priv =
          (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      if (!isP256(priv.getParams())) {
        throw new AccessException("the app assertion key " + file + " is not on P-256");
      }
      return new KeyPair(publicOf(priv), priv);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new AccessException(
          "the app assertion key " + file + " holds no valid EC private key", e);
    }
  }

  /** PKCS#8 keeps only the private scalar here: the public point is d·G. */
  private static ECPublicKey publicOf(ECPrivateKey priv) throws GeneralSecurityException {
    X9ECParameters curve = CustomNamedCurves.getByName(CURVE);
    org.bouncycastle.math.ec.ECPoint q =
        new FixedPointCombMultiplier().multiply(curve.getG(), priv.getS()).normalize();
    ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, priv.getParams()));
  }

  private static void write(Path file, KeyPair key) {
    String pem =
        PEM_BEGIN
            + "\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getPrivate().getEncoded())
            + "\n"
            + PEM_END
            + "\n";
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      // Created 0600 before any byte is written, then moved into place whole.
      temp =
          Files.createTempFile(
              dir,
              "." + file.getFileName(),
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, pem, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      throw new AccessException("cannot write the app assertion key " + file + ": " + e, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: the move normally took it
        }
      }
    }
  }

  private static boolean isP256(ECParameterSpec params) {
    ECParameterSpec p256 = P256.SPEC;
    return params != null
        && params.getCurve().equals(p256.getCurve())
        && params.getGenerator().equals(p256.getGenerator())
        && params.getOrder().equals(p256.getOrder());
  }

  /** The JDK's P-256 parameters, looked up once. */
  private static final class P256 {
    static final ECParameterSpec SPEC = spec();

    private static ECParameterSpec spec() {
      try {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(CURVE));
        return params.getParameterSpec(ECParameterSpec.class);
      } catch (GeneralSecurityException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
