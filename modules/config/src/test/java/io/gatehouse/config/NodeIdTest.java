package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeIdTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "agent-1", "web_1.eu-west", "A.B_C-9"})
  void acceptsLettersDigitsDotsUnderscoresAndDashes(String id) {
    assertThat(NodeId.check("agent", id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "bad id", "é"})
  void refusesAnythingElseNamingTheRoleAndTheRule(String id) {
    assertThatThrownBy(() -> NodeId.check("proxy", id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid proxy id '" + id + "': use 1 to 128 letters, digits, '.', '_' or '-'");
  }

  @Test
  void refusesIdsLongerThan128() {
    assertThat(NodeId.check("agent", "a".repeat(128))).hasSize(128);
    assertThatThrownBy(() -> NodeId.check("agent", "a".repeat(129)))
        .hasMessageStartingWith("invalid agent id 'aaa");
  }

  @Test
  void generatedIdsAreValidAndEndInSixRandomHexDigits() {
    String a = NodeId.generate(new Random(1));
    String b = NodeId.generate(new Random(2));

    assertThat(NodeId.check("agent", a)).matches(".+-[0-9a-f]{6}");
    assertThat(a).isNotEqualTo(b);
    assertThat(a.substring(0, a.length() - 6)).isEqualTo(b.substring(0, b.length() - 6));
    assertThat(NodeId.generate(new Random(1))).isEqualTo(a);
  }
}
