package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaPinTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();

  private ClusterCa ca(String name) {
    return ClusterCa.init(dir.resolve(name), Clock.systemUTC(), random);
  }

  @Test
  void pinIsTheSha256OfTheCaPublicKeyInfo() throws Exception {
    ClusterCa ca = ca("a");
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(ca.certificate().getPublicKey().getEncoded()));

    assertThat(ca.pin().toString()).isEqualTo("sha256:" + expected).matches("sha256:[0-9a-f]{64}");
    assertThat(CaPin.of(ca.certificate())).isEqualTo(ca.pin());
  }

  @Test
  void textFormReadsBack() {
    CaPin pin = ca("a").pin();

    assertThat(CaPin.parse(pin.toString())).isEqualTo(pin).hasSameHashCodeAs(pin);
    assertThat(CaPin.parse("  " + pin.toString().toUpperCase() + "\n")).isEqualTo(pin);
  }

  @Test
  void wrongShapesAreRefusedSayingWhatAPinLooksLike() {
    for (String bad :
        new String[] {"", "abc", "sha1:" + "0".repeat(40), "sha256:" + "0".repeat(63)}) {
      assertThatThrownBy(() -> CaPin.parse(bad))
          .as(bad)
          .isInstanceOf(PkiException.class)
          .hasMessageContaining("'sha256:' followed by 64 hex digits");
    }
    assertThatThrownBy(() -> CaPin.parse(null)).isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> CaPin.parse("sha256:" + "g".repeat(64)))
        .hasMessageContaining("found 64 characters")
        .hasMessageContaining("not all hex digits");
  }

  @Test
  void pinMatchesOnlyTheCaItPins() {
    ClusterCa a = ca("a");
    ClusterCa b = ca("b");

    assertThat(a.pin().matches(a.certificate())).isTrue();
    assertThat(a.pin().matches(b.certificate())).isFalse();
    assertThat(a.pin())
        .isNotEqualTo(b.pin())
        .satisfies(
            pin ->
                assertThat(
                        pin.matches(
                            a.issueProxy("p", List.of(), List.of(), Duration.ofDays(1)).leaf()))
                    .isFalse());
  }
}
