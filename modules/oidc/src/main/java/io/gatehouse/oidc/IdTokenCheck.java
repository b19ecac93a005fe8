package io.gatehouse.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks of OpenID Connect Core 3.1.3.7 on an ID token from the token endpoint: signed (never
 * {@code none}, never with the client secret) by a key of the provider's JWKS with an algorithm it
 * announced, issued by the configured issuer for this client, current within {@link #CLOCK_SKEW},
 * and carrying this login's nonce. Each failure names what was wrong, never the token.
 */
final class IdTokenCheck {
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

  private final String issuer;
  private final String clientId;
  private final Set<JWSAlgorithm> algorithms;
  private final ProviderKeys keys;
  private final Clock clock;

  IdTokenCheck(
      String issuer,
      String clientId,
      Set<JWSAlgorithm> algorithms,
      ProviderKeys keys,
      Clock clock) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.algorithms = Set.copyOf(algorithms);
    this.keys = keys;
    this.clock = clock;
  }

  /** The claims of {@code idToken}, once every check passed. */
  JWTClaimsSet check(String idToken, String expectedNonce) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(idToken);
    } catch (ParseException e) {
      throw new OidcException("the provider sent an ID token that is not a signed JWT");
    }
    verifySignature(jwt.getHeader(), jwt);
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new OidcException("the provider sent an ID token whose claims are not a JSON object");
    }
    checkClaims(claims, expectedNonce);
    return claims;
  }

  private void verifySignature(JWSHeader header, SignedJWT jwt) {
    JWSAlgorithm alg = header.getAlgorithm();
    if (!algorithms.contains(alg)) {
      throw new OidcException(
          "ID token signed with "
              + alg
              + ", expected one of "
              + algorithms.stream().map(JWSAlgorithm::getName).sorted().toList()
              + " (the provider's id_token_signing_alg_values_supported that Gatehouse accepts)");
    }
    List<JWK> candidates = keys.keysFor(header);
    if (candidates.isEmpty()) {
      throw new OidcException(
          "no key in the provider's JWKS can verify the ID token"
              + (header.getKeyID() == null ? "" : " (key id '" + header.getKeyID() + "')"));
    }
    for (Key key : KeyConverter.toJavaKeys(candidates)) {
      try {
        JWSVerifier verifier = VERIFIERS.createJWSVerifier(header, key);
        if (jwt.verify(verifier)) {
          return;
        }
      } catch (JOSEException e) {
        // A key of another type than the algorithm needs: try the next one.
      }
    }
    throw new OidcException("the ID token's signature does not verify with the provider's keys");
  }

  private void checkClaims(JWTClaimsSet claims, String expectedNonce) {
    if (!issuer.equals(claims.getIssuer())) {
      throw new OidcException(
          "ID token from another issuer: '" + claims.getIssuer() + "', expected '" + issuer + "'");
    }
    List<String> audience = claims.getAudience();
    if (!audience.contains(clientId)) {
      throw new OidcException(
          "ID token for another client: audience " + audience + ", expected '" + clientId + "'");
    }
    Object azp = claims.getClaim("azp");
    if ((audience.size() > 1 || azp != null) && !clientId.equals(azp)) {
      throw new OidcException(
          "ID token authorized for another party: azp '" + azp + "', expected '" + clientId + "'");
    }
    if (claims.getSubject() == null || claims.getSubject().isBlank()) {
      throw new OidcException("ID token without a subject (sub)");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new OidcException("ID token without an expiry (exp)");
    }
    if (now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
      throw new OidcException("ID token expired at " + exp.toInstant() + " (now " + now + ")");
    }
    Date iat = claims.getIssueTime();
    if (iat == null) {
      throw new OidcException("ID token without an issue time (iat)");
    }
    if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new OidcException(
          "ID token issued in the future, at "
              + iat.toInstant()
              + " (now "
              + now
              + "): check the clocks of the proxy and the provider");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new OidcException(
          "ID token not valid before " + nbf.toInstant() + " (now " + now + ")");
    }
    Object nonce = claims.getClaim("nonce");
    if (!(nonce instanceof String text) || !sameSecret(text, expectedNonce)) {
      throw new OidcException(
          nonce == null
              ? "ID token without the nonce of this login"
              : "ID token nonce mismatch: the token was issued for another login");
    }
  }

  /** Compares secrets in time independent of where they differ. */
  static boolean sameSecret(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** The algorithms of {@code announced} that verify with a provider's public key. */
  static Set<JWSAlgorithm> asymmetric(List<JWSAlgorithm> announced) {
    Set<JWSAlgorithm> supported =
        DefaultJWSVerifierFactory.SUPPORTED_ALGORITHMS.stream()
            .filter(a -> JWSAlgorithm.Family.RSA.contains(a) || JWSAlgorithm.Family.EC.contains(a))
            .collect(Collectors.toSet());
    return announced.stream().filter(supported::contains).collect(Collectors.toSet());
  }
}
