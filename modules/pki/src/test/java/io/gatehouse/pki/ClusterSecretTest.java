package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.pki.ClusterSecret.Purpose;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretTest {
  @TempDir Path dir;

  @Test
  void writtenSecretReadsBackWithOwnerOnlyMode() throws Exception {
    ClusterSecret secret = ClusterSecret.generate(new SecureRandom());
    secret.write(dir);

    assertThat(ClusterSecret.read(dir)).isEqualTo(secret);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(ClusterSecret.FILE))))
        .isEqualTo("rw-------");
  }

  @Test
  void existingSecretIsNeverOverwritten() {
    ClusterSecret.generate(new SecureRandom()).write(dir);

    assertThatThrownBy(() -> ClusterSecret.generate(new SecureRandom()).write(dir))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("cluster.secret")
        .hasMessageContaining("never overwritten");
  }

  @Test
  void missingSecretNamesTheFileAndTheCommandThatMakesIt() {
    assertThatThrownBy(() -> ClusterSecret.read(dir))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(dir.resolve("cluster.secret").toString())
        .hasMessageContaining("gatehouse ca init");
  }

  @Test
  void damagedSecretIsRefused() throws Exception {
    Files.writeString(dir.resolve(ClusterSecret.FILE), "not hex\n");

    assertThatThrownBy(() -> ClusterSecret.read(dir)).hasMessageContaining("not a hex-encoded");
  }

  @Test
  void hashesAreKeyedAndSeparatedByPurpose() {
    ClusterSecret one = ClusterSecret.of(new byte[32]);
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    ClusterSecret other = ClusterSecret.of(otherKey);

    String session = one.hash(Purpose.SESSION, "0123456789abcdef0123456789abcdef");

    assertThat(session).hasSize(64).matches("[0-9a-f]+").doesNotContain("0123456789abcdef");
    assertThat(one.hash(Purpose.SESSION, "0123456789abcdef0123456789abcdef")).isEqualTo(session);
    assertThat(other.hash(Purpose.SESSION, "0123456789abcdef0123456789abcdef"))
        .isNotEqualTo(session);
    assertThat(one.hash(Purpose.JOIN_TOKEN, "0123456789abcdef0123456789abcdef"))
        .isNotEqualTo(session);
  }

  @Test
  void shortKeysAndPrintingAreRefused() {
    assertThatThrownBy(() -> ClusterSecret.of(new byte[16])).hasMessageContaining("at least 32");
    assertThat(ClusterSecret.of(new byte[32]).toString()).isEqualTo("ClusterSecret[redacted]");
  }

  @Test
  void derivedKeysAreStablePerPurposeAndDifferAcrossPurposesAndSecrets() {
    byte[] raw = new byte[32];
    ClusterSecret secret = ClusterSecret.of(raw);
    byte[] credential = secret.derive(Purpose.CREDENTIAL);

    assertThat(credential).hasSize(32).isEqualTo(ClusterSecret.of(raw).derive(Purpose.CREDENTIAL));
    assertThat(secret.derive(Purpose.PASSWORD_PEPPER)).isNotEqualTo(credential);
    assertThat(
            java.util.Arrays.stream(Purpose.values())
                .map(p -> java.util.HexFormat.of().formatHex(secret.derive(p)))
                .distinct())
        .hasSize(Purpose.values().length);
    raw[0] = 1;
    assertThat(ClusterSecret.of(raw).derive(Purpose.CREDENTIAL)).isNotEqualTo(credential);
  }
}
