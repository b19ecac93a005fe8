package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EjectionsTest {
  private final MutableClock clock = new MutableClock();
  private final Ejections ejections = new Ejections(clock, Duration.ofSeconds(10));

  @Test
  void ejectedAgentIsSkippedForTheBackoffThenReturns() {
    ejections.eject("a");
    assertThat(ejections.isEjected("a", null)).isTrue();
    assertThat(ejections.isEjected("b", null)).isFalse();
    clock.advance(Duration.ofSeconds(9));
    assertThat(ejections.isEjected("a", null)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ejections.isEjected("a", null)).isFalse();
  }

  @Test
  void repeatedFailuresDoubleTheBackoffUpToEightTimes() {
    Instant start = clock.instant();
    assertThat(ejections.eject("a")).isEqualTo(start.plusSeconds(10));
    clock.advance(Duration.ofSeconds(10));
    assertThat(ejections.eject("a")).isEqualTo(clock.instant().plusSeconds(20));
    assertThat(ejections.eject("a")).isEqualTo(clock.instant().plusSeconds(40));
    assertThat(ejections.eject("a")).isEqualTo(clock.instant().plusSeconds(80));
    assertThat(ejections.eject("a")).isEqualTo(clock.instant().plusSeconds(80));
  }

  @Test
  void successfulDialForgetsFailures() {
    ejections.eject("a");
    ejections.eject("a");
    ejections.succeeded("a");
    assertThat(ejections.isEjected("a", null)).isFalse();
    assertThat(ejections.eject("a")).isEqualTo(clock.instant().plusSeconds(10));
  }

  @Test
  void agentThatRestartedAfterItsEjectionIsNotSkipped() {
    Instant ejectedAt = clock.instant();
    ejections.eject("a");
    assertThat(ejections.isEjected("a", ejectedAt.minusSeconds(60))).isTrue();
    assertThat(ejections.isEjected("a", ejectedAt.plusMillis(1))).isFalse();
  }

  @Test
  void currentListsOnlyActiveEjections() {
    ejections.eject("a");
    clock.advance(Duration.ofSeconds(5));
    ejections.eject("b");
    clock.advance(Duration.ofSeconds(6));
    assertThat(ejections.current()).containsOnlyKeys("b");
  }

  @Test
  void zeroBackoffIsRefused() {
    assertThatThrownBy(() -> new Ejections(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
