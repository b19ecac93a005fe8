package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppAssertionsTest {
  // Apps check expiry against their own clock: the assertion is made on the real one.
  private final KeyPair key = AppAssertions.generateKey();
  private final AppAssertions assertions =
      new AppAssertions(key, AppAssertions.keyIdOf(key), Clock.systemUTC());

  /** What an app does: keys from the JWKS, ES256 only, its own name as the audience. */
  private static DefaultJWTProcessor<SecurityContext> app(String jwks, String name)
      throws Exception {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            JWSAlgorithm.ES256, new ImmutableJWKSet<>(JWKSet.parse(jwks))));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            name,
            new JWTClaimsSet.Builder().issuer("gatehouse").build(),
            Set.of("sub", "roles", "iat", "exp", "jti")));
    return processor;
  }

  @Test
  void anAppVerifiesTheAssertionWithTheJwksAndSeesTheUser() throws Exception {
    KeyPair other = AppAssertions.generateKey();
    String jwks =
        AppAssertions.jwksJson(
            List.of(
                new AppAssertions(other, "other", Clock.systemUTC()).publicJwkJson(),
                assertions.publicJwkJson()));
    String token = assertions.sign("alice", List.of("dev"), "myapp", Duration.ofSeconds(60));

    JWTClaimsSet claims = app(jwks, "myapp").process(token, null);
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringListClaim("roles")).containsExactly("dev");
    assertThat(claims.getAudience()).containsExactly("myapp");
    assertThat(claims.getJWTID()).matches("[0-9a-f]{32}");
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime())
        .isEqualTo(60_000);
    assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo(AppAssertions.keyIdOf(key));
  }

  @Test
  void anAssertionForAnotherAppIsDetected() throws Exception {
    String jwks = AppAssertions.jwksJson(List.of(assertions.publicJwkJson()));
    String token = assertions.sign("alice", List.of("dev"), "billing", Duration.ofSeconds(60));
    assertThatThrownBy(() -> app(jwks, "myapp").process(token, null))
        .isInstanceOf(BadJWTException.class)
        .hasMessageContaining("aud claim rejected");
  }

  @Test
  void anAssertionSignedByAnUnlistedKeyIsRefused() throws Exception {
    String jwks = AppAssertions.jwksJson(List.of(assertions.publicJwkJson()));
    KeyPair stranger = AppAssertions.generateKey();
    String token =
        new AppAssertions(stranger, AppAssertions.keyIdOf(key), Clock.systemUTC())
            .sign("alice", List.of("admin"), "myapp", Duration.ofSeconds(60));
    assertThatThrownBy(() -> app(jwks, "myapp").process(token, null))
        .isInstanceOf(BadJOSEException.class);
  }

  @Test
  void theJwksHoldsPublicSigningKeysOnly() throws Exception {
    String jwk = assertions.publicJwkJson();
    assertThat(jwk)
        .contains("\"use\":\"sig\"", "\"alg\":\"ES256\"", "\"kid\":", "\"crv\":\"P-256\"")
        .doesNotContain("\"d\"");
    JWKSet set = JWKSet.parse(AppAssertions.jwksJson(List.of(jwk)));
    assertThat(set.getKeys()).singleElement().satisfies(k -> assertThat(k.isPrivate()).isFalse());
    assertThatThrownBy(() -> AppAssertions.jwksJson(List.of("{}")))
        .isInstanceOf(AccessException.class);
  }

  @Test
  void theKeyFileIsKeptAcrossRestartsWithMode0600(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys/jwt.key");
    KeyPair first = AppAssertions.readOrCreate(file);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    KeyPair again = AppAssertions.readOrCreate(file);
    assertThat(again.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
    assertThat(again.getPublic()).isEqualTo(first.getPublic());
    assertThat(AppAssertions.keyIdOf(again)).isEqualTo(AppAssertions.keyIdOf(first));
    // The key read back signs what the first one's JWKS verifies.
    String jwks =
        AppAssertions.jwksJson(
            List.of(new AppAssertions(first, "k", Clock.systemUTC()).publicJwkJson()));
    String token =
        new AppAssertions(again, "k", Clock.systemUTC())
            .sign("alice", List.of(), "myapp", Duration.ofSeconds(60));
    assertThat(app(jwks, "myapp").process(token, null).getSubject()).isEqualTo("alice");
    assertThat(dir.resolve("keys")).isDirectoryContaining(p -> p.equals(file));
    try (var files = Files.list(dir.resolve("keys"))) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aFileWithoutAKeyIsNamedAndNotShown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwt.key");
    Files.writeString(
        file, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IGdhcmJhZ2U=\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> AppAssertions.readOrCreate(file))
        .isInstanceOf(AccessException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("c2VjcmV0");
    Files.writeString(file, "nothing here");
    assertThatThrownBy(() -> AppAssertions.readOrCreate(file))
        .isInstanceOf(AccessException.class)
        .hasMessageContaining("no PKCS#8 private key");
  }

  @Test
  void onlyP256KeysSign() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = generator.generateKeyPair();
    assertThatThrownBy(() -> new AppAssertions(p384, "k", Clock.systemUTC()))
        .isInstanceOf(AccessException.class)
        .hasMessage("an app assertion key is an EC key on P-256");
  }
}
