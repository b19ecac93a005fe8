package io.gatehouse.proxy.join;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.ResourceKind;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenRequestTest {
  @Test
  void refusesATtlLongerThanADay() {
    assertThatThrownBy(
            () ->
                new TokenRequest(
                    Set.of(ResourceKind.APP), Duration.ofHours(25), OptionalInt.empty(), "a", null))
        .hasMessageContaining("ttl 1d1h is out of range")
        .hasMessageContaining("to 1d");
  }

  @Test
  void refusesNoKindAndZeroUses() {
    assertThatThrownBy(
            () ->
                new TokenRequest(
                    Set.of(), TokenRequest.DEFAULT_TTL, OptionalInt.empty(), "a", null))
        .hasMessageContaining("at least one kind");
    assertThatThrownBy(
            () ->
                new TokenRequest(
                    Set.of(ResourceKind.DB),
                    TokenRequest.DEFAULT_TTL,
                    OptionalInt.of(0),
                    "a",
                    null))
        .hasMessageContaining("uses must be at least 1");
  }
}
