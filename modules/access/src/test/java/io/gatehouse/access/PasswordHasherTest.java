package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private static final byte[] PEPPER = filled(1);
  private static final PasswordHasher HASHER = new PasswordHasher(PEPPER);
  private static final String PASSWORD = "correct horse battery";

  private static byte[] filled(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    String phc = HASHER.hash(PASSWORD.toCharArray());
    assertThat(HASHER.verify(PASSWORD.toCharArray(), phc)).isTrue();
    assertThat(HASHER.verify("correct horse battery!".toCharArray(), phc)).isFalse();
    assertThat(HASHER.verify(new char[0], phc)).isFalse();
  }

  @Test
  void anotherPepperDoesNotVerify() {
    String phc = HASHER.hash(PASSWORD.toCharArray());
    assertThat(new PasswordHasher(filled(2)).verify(PASSWORD.toCharArray(), phc)).isFalse();
  }

  @Test
  void theHashIsAPhcStringWithOwaspParameters() {
    String phc = HASHER.hash(PASSWORD.toCharArray());
    Matcher m =
        Pattern.compile(
                "\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)")
            .matcher(phc);
    assertThat(m.matches()).as(phc).isTrue();
    assertThat(Base64.getDecoder().decode(m.group(1))).hasSize(16);
    assertThat(Base64.getDecoder().decode(m.group(2))).hasSize(32);
    assertThat(phc).doesNotContain("=$").doesNotEndWith("=");
    assertThat(PasswordHasher.needsRehash(phc)).isFalse();
    assertThat(PasswordHasher.needsRehash(phc.replace("t=2", "t=3"))).isTrue();
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    assertThat(HASHER.hash(PASSWORD.toCharArray()))
        .isNotEqualTo(HASHER.hash(PASSWORD.toCharArray()));
  }

  @Test
  void theParametersWrittenAreTheOnesUsed() {
    // verify reads m, t and p from the string (so older hashes go on working after a change of
    // defaults): editing them gives another hash, not a pass.
    String phc = HASHER.hash(PASSWORD.toCharArray());
    assertThat(HASHER.verify(PASSWORD.toCharArray(), phc.replace("t=2", "t=3"))).isFalse();
  }

  @Test
  void malformedHashesAreFalseNeverExceptions() {
    String good = HASHER.hash(PASSWORD.toCharArray());
    String[] bad = {
      null,
      "",
      "plaintext",
      good.replace("argon2id", "argon2i"),
      good.replace("v=19", "v=16"),
      good.replace("m=19456", "m=99999999"),
      good.replace("m=19456", "m=1048576"),
      good.replace("t=2", "t=0"),
      good.replace("p=1", "p=0"),
      good.substring(0, good.lastIndexOf('$')),
      good + "$extra",
      good.substring(0, good.length() - 1) + "!",
      "$argon2id$v=19$m=19456,t=2,p=1$$",
    };
    for (String phc : bad) {
      assertThat(HASHER.verify(PASSWORD.toCharArray(), phc)).as(String.valueOf(phc)).isFalse();
    }
  }

  @Test
  void verifyingNothingTakesAPasswordAndSaysNothing() {
    HASHER.verifyNothing(PASSWORD.toCharArray());
    HASHER.verifyNothing(new char[0]);
  }

  @Test
  void aPepperIs32Bytes() {
    assertThatThrownBy(() -> new PasswordHasher(new byte[16]))
        .isInstanceOf(AccessException.class)
        .hasMessage("a password pepper is 32 bytes");
  }

  @Test
  void weakPasswordsAreNamed() {
    assertThat(PasswordHasher.weakness("short".toCharArray()))
        .contains("a password needs at least 12 characters");
    assertThat(PasswordHasher.weakness("x".repeat(1025).toCharArray()))
        .contains("a password has at most 1024 characters");
    assertThat(PasswordHasher.weakness("twelve chars".toCharArray())).isEmpty();
    assertThat(PasswordHasher.weakness("x".repeat(1024).toCharArray())).isEmpty();
  }

  @Test
  void randomPasswordsAreLongUnambiguousAndAcceptable() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      char[] p = PasswordHasher.randomPassword();
      assertThat(p).hasSize(20);
      assertThat(new String(p)).doesNotContainPattern("[0O1lIo]").matches("[A-Za-z2-9]{20}");
      assertThat(PasswordHasher.weakness(p)).isEmpty();
      seen.add(new String(p));
    }
    assertThat(seen).hasSize(200);
  }
}
