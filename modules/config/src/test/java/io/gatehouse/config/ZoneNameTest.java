package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZoneNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "eu-1", "eu-west-1a", "us_east.1b", "Rack7"})
  void acceptsWhatAKubernetesLabelValueAccepts(String zone) {
    assertThat(ZoneName.check(zone)).isEqualTo(zone);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-eu", "eu-", "eu 1", "eu/1", "é"})
  void refusesAnythingElseWithTheRule(String zone) {
    assertThatThrownBy(() -> ZoneName.check(zone))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid zone '" + zone + "': use 1 to 63 letters");
  }

  @ParameterizedTest
  @ValueSource(ints = {63, 64})
  void acceptsAtMost63Characters(int length) {
    assertThat(ZoneName.isValid("z".repeat(length))).isEqualTo(length <= 63);
  }
}
