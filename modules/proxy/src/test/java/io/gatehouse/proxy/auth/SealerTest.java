package io.gatehouse.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.Test;

class SealerTest {
  private static final byte[] KEY = key(1);
  private final MutableClock clock = new MutableClock();
  private final Sealer sealer = new Sealer(KEY, "test+jwt", "the test value", clock);

  private static byte[] key(int seed) {
    byte[] raw = new byte[32];
    raw[0] = (byte) seed;
    return ClusterSecret.of(raw).derive(ClusterSecret.Purpose.SSO_LOGIN);
  }

  private static JWTClaimsSet claims() {
    return new JWTClaimsSet.Builder().claim("secret", "s3cr3t-value").build();
  }

  @Test
  void aSealedValueOpensToItsClaimsAndShowsNoneOfThem() throws Exception {
    String sealed = sealer.seal(claims(), Duration.ofMinutes(1));

    assertThat(sealer.open(sealed).getStringClaim("secret")).isEqualTo("s3cr3t-value");
    assertThat(sealed).doesNotContain("s3cr3t");
    EncryptedJWT jwt = EncryptedJWT.parse(sealed);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWEAlgorithm.DIR);
    assertThat(jwt.getHeader().getEncryptionMethod()).isEqualTo(EncryptionMethod.A256GCM);
  }

  @Test
  void everyAlteredPartIsRefusedAsTampered() {
    String sealed = sealer.seal(claims(), Duration.ofMinutes(1));
    String[] parts = sealed.split("\\.");
    // Header, IV, ciphertext and tag (the key part of dir is empty).
    for (int part : new int[] {0, 2, 3, 4}) {
      String[] changed = parts.clone();
      char c = changed[part].charAt(changed[part].length() / 2);
      changed[part] =
          changed[part].substring(0, changed[part].length() / 2)
              + (c == 'A' ? 'B' : 'A')
              + changed[part].substring(changed[part].length() / 2 + 1);
      String tampered = String.join(".", changed);
      assertThatThrownBy(() -> sealer.open(tampered))
          .as("part %d", part)
          .isInstanceOf(Refusal.class)
          .hasMessageStartingWith("the test value ")
          .satisfies(e -> assertThat(((Refusal) e).status()).isEqualTo(400));
    }
  }

  @Test
  void aValueSealedWithAnotherKeyIsRefused() {
    String foreign =
        new Sealer(key(2), "test+jwt", "the test value", clock)
            .seal(claims(), Duration.ofMinutes(1));

    assertThatThrownBy(() -> sealer.open(foreign))
        .isInstanceOf(Refusal.class)
        .hasMessage(
            "the test value is tampered with, or was sealed by another cluster: start again");
  }

  @Test
  void aValueOfAnotherTypeIsRefusedEvenUnderTheSameKey() {
    String other =
        new Sealer(KEY, "other+jwt", "the other value", clock)
            .seal(claims(), Duration.ofMinutes(1));

    assertThatThrownBy(() -> sealer.open(other))
        .isInstanceOf(Refusal.class)
        .hasMessage("the test value is not one this proxy seals: start again");
  }

  @Test
  void aValueIsRefusedFromItsExpiryOn() {
    String sealed = sealer.seal(claims(), Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(59));
    assertThat(sealer.open(sealed).getClaim("secret")).isNotNull();

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> sealer.open(sealed))
        .isInstanceOf(Refusal.class)
        .hasMessage("the test value has expired: start again");
  }

  @Test
  void aValueWithoutExpiryIsRefused() throws Exception {
    EncryptedJWT jwt =
        new EncryptedJWT(
            new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .type(new com.nimbusds.jose.JOSEObjectType("test+jwt"))
                .build(),
            new JWTClaimsSet.Builder().issueTime(Date.from(clock.instant())).build());
    jwt.encrypt(new DirectEncrypter(KEY));

    assertThatThrownBy(() -> sealer.open(jwt.serialize()))
        .isInstanceOf(Refusal.class)
        .hasMessage("the test value has expired: start again");
  }

  @Test
  void garbageAndOversizedValuesAreRefusedAsMalformedOrTampered() {
    assertThatThrownBy(() -> sealer.open("")).hasMessageContaining("is malformed");
    assertThatThrownBy(() -> sealer.open("x".repeat(Sealer.MAX_LENGTH + 1)))
        .hasMessageContaining("is malformed");
    assertThatThrownBy(() -> sealer.open("not.a.jwe.at.all")).isInstanceOf(Refusal.class);
    assertThatThrownBy(() -> sealer.open("abc")).isInstanceOf(Refusal.class);
  }

  @Test
  void aKeyOfTheWrongLengthIsRejected() {
    assertThatThrownBy(() -> new Sealer(new byte[16], "t", "v", clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
