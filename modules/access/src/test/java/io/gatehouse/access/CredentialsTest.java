package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  private static final byte[] KEY = key(7);
  private final MutableClock clock = new MutableClock();
  private final Credentials credentials = new Credentials(KEY, clock);

  private static byte[] key(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static void refused(Credentials c, String token, String reason) {
    assertThatThrownBy(() -> c.verify(token))
        .isInstanceOf(CredentialException.class)
        .hasMessage(reason)
        .satisfies(e -> assertThat(((CredentialException) e).reason()).isEqualTo(reason));
  }

  @Test
  void anIssuedCredentialVerifiesWithItsClaims() {
    String token =
        credentials.issue("alice", List.of("dev", "ops"), Credentials.DEFAULT_TTL, "password");
    Credential c = credentials.verify(token);
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.roles()).containsExactly("dev", "ops");
    assertThat(c.issuedAt()).isEqualTo(MutableClock.DEFAULT_START);
    assertThat(c.expiresAt()).isEqualTo(MutableClock.DEFAULT_START.plus(Duration.ofHours(12)));
    assertThat(c.id()).matches("[0-9a-f]{32}");
    assertThat(c.method()).isEqualTo("password");
    assertThat(
            credentials
                .verify(credentials.issue("alice", List.of(), Duration.ofMinutes(1), "sso"))
                .id())
        .isNotEqualTo(c.id());
  }

  @Test
  void theTokenCarriesTheContractedHeaderAndClaims() throws Exception {
    SignedJWT jwt =
        SignedJWT.parse(credentials.issue("alice", List.of("dev"), Duration.ofHours(1), "sso"));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("gatehouse-credential+jwt");
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo("gatehouse");
    assertThat(claims.getStringClaim("use")).isEqualTo("credential");
    assertThat(claims.getStringListClaim("amr")).containsExactly("sso");
  }

  @Test
  void aCredentialExpiresAfterItsTtlAndTheSkew() {
    String token = credentials.issue("alice", List.of("dev"), Duration.ofHours(12), "password");
    clock.advance(Duration.ofHours(12).plusSeconds(29));
    assertThat(credentials.verify(token).user()).isEqualTo("alice");
    clock.advance(Duration.ofSeconds(1));
    refused(credentials, token, "expired");
  }

  @Test
  void aCredentialFromTheFutureIsRefusedBeyondTheSkew() {
    Credentials ahead =
        new Credentials(
            KEY,
            Clock.fixed(MutableClock.DEFAULT_START.plusSeconds(60), Clock.systemUTC().getZone()));
    String token = ahead.issue("alice", List.of(), Duration.ofHours(1), "password");
    refused(credentials, token, "not yet valid");
    clock.advance(Duration.ofSeconds(31));
    assertThat(credentials.verify(token).user()).isEqualTo("alice");
  }

  @Test
  void aTamperedCredentialHasAnInvalidSignature() {
    String token = credentials.issue("alice", List.of("dev"), Duration.ofHours(1), "password");
    String[] parts = token.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"dev\"", "\"admin\"");
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    refused(credentials, forged, "invalid signature");
  }

  @Test
  void aCredentialOfAnotherKeyHasAnInvalidSignature() {
    String token =
        new Credentials(key(8), clock).issue("alice", List.of(), Duration.ofHours(1), "password");
    refused(credentials, token, "invalid signature");
  }

  @Test
  void anAppAssertionIsNotACredential() {
    AppAssertions assertions = new AppAssertions(AppAssertions.generateKey(), "k1", clock);
    refused(
        credentials,
        assertions.sign("alice", List.of("admin"), "myapp", Duration.ofMinutes(1)),
        "not a credential");
  }

  @Test
  void aTokenOfOurKeyWithoutTheCredentialMarksIsNotACredential() throws Exception {
    SignedJWT plain =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder().issuer("gatehouse").subject("alice").build());
    plain.sign(new MACSigner(KEY));
    refused(credentials, plain.serialize(), "not a credential");
  }

  @Test
  void garbageIsMalformedAndNoMessageHoldsTheToken() {
    String token = credentials.issue("alice", List.of(), Duration.ofHours(1), "password");
    for (String bad : new String[] {"", "abc", "a.b.c", token + "x.y", "x".repeat(9000), null}) {
      assertThatThrownBy(() -> credentials.verify(bad))
          .isInstanceOf(CredentialException.class)
          .satisfies(
              e -> {
                assertThat(e.getMessage()).isIn("malformed", "invalid signature");
                if (bad != null && !bad.isEmpty()) {
                  assertThat(e.getMessage()).doesNotContain(bad);
                }
              });
    }
  }

  @Test
  void aKeyIs32Bytes() {
    assertThatThrownBy(() -> new Credentials(new byte[31], clock))
        .isInstanceOf(AccessException.class)
        .hasMessage("a credential key is 32 bytes");
  }
}
