package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdTest {
  @Test
  void sessionIdsAre128RandomBitsInHex() {
    String a = SessionId.generate();
    assertThat(a).matches("[0-9a-f]{32}");
    assertThat(SessionId.isValid(a)).isTrue();
    assertThat(SessionId.generate()).isNotEqualTo(a);
    assertThat(SessionId.isValid("../../etc")).isFalse();
    assertThat(SessionId.isValid(null)).isFalse();
  }

  @Test
  void everyGeneratedIdHasTheFormTheOtherEndAccepts() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String id = SessionId.generate();
      assertThat(SessionId.isValid(id)).as(id).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(1_000);
  }

  @Test
  void onlyThirtyTwoLowercaseHexDigitsAreASessionId() {
    assertThat(SessionId.isValid("0123456789abcdef0123456789abcdef")).isTrue();
    // One spelling per id: the agent once also took upper case, the proxy never did.
    assertThat(SessionId.isValid("0123456789ABCDEF0123456789ABCDEF")).isFalse();
    assertThat(SessionId.isValid("0123456789abcdef0123456789abcde")).isFalse();
    assertThat(SessionId.isValid("0123456789abcdef0123456789abcdef0")).isFalse();
    assertThat(SessionId.isValid("0123456789abcdef0123456789abcdeg")).isFalse();
    assertThat(SessionId.isValid("")).isFalse();
  }
}
