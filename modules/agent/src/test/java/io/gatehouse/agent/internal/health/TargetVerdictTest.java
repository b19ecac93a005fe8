package io.gatehouse.agent.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.internal.health.TargetHealth.State;
import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TargetVerdictTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);

  private static HealthCheck thresholds(int healthy, int unhealthy) {
    return new HealthCheck(
        true,
        Duration.ofSeconds(5),
        Duration.ofSeconds(2),
        healthy,
        unhealthy,
        Optional.empty(),
        OptionalInt.empty());
  }

  private Optional<TargetHealth> check(TargetVerdict verdict, boolean ok, String reason) {
    clock.advance(Duration.ofSeconds(5));
    return verdict.record(ok, reason, clock.instant());
  }

  @Test
  void startsUnknownAndIsHealthyAfterTwoSuccessesByDefault() {
    TargetVerdict verdict = new TargetVerdict(HealthCheck.DEFAULT, clock.instant());
    assertThat(verdict.current().state()).isEqualTo(State.UNKNOWN);
    assertThat(verdict.current().since()).isEqualTo(T0);

    assertThat(check(verdict, true, "connected")).as("one success is not enough").isEmpty();
    assertThat(check(verdict, true, "connected"))
        .contains(new TargetHealth(State.HEALTHY, "connected", T0.plusSeconds(10)));
    assertThat(check(verdict, true, "connected")).as("no news while it stays healthy").isEmpty();
  }

  @Test
  void oneFailureMakesItUnhealthyByDefaultAndItNeedsTwoSuccessesToComeBack() {
    TargetVerdict verdict = new TargetVerdict(HealthCheck.DEFAULT, clock.instant());
    check(verdict, true, "connected");
    check(verdict, true, "connected");

    assertThat(check(verdict, false, "Connection refused"))
        .contains(new TargetHealth(State.UNHEALTHY, "Connection refused", T0.plusSeconds(15)));
    assertThat(check(verdict, false, "Connection refused")).isEmpty();
    assertThat(check(verdict, true, "connected")).as("still unhealthy after one success").isEmpty();
    assertThat(verdict.current().state()).isEqualTo(State.UNHEALTHY);
    assertThat(check(verdict, true, "connected"))
        .contains(new TargetHealth(State.HEALTHY, "connected", T0.plusSeconds(30)));
  }

  @Test
  void aFailureFromUnknownMakesItUnhealthyAtOnce() {
    TargetVerdict verdict = new TargetVerdict(HealthCheck.DEFAULT, clock.instant());
    assertThat(check(verdict, false, "no answer within 2000 ms"))
        .map(TargetHealth::state)
        .contains(State.UNHEALTHY);
  }

  @Test
  void configuredThresholdsCountChecksInARowOnly() {
    TargetVerdict verdict = new TargetVerdict(thresholds(3, 2), clock.instant());
    check(verdict, true, "ok");
    check(verdict, true, "ok");
    check(verdict, false, "HTTP 500");
    assertThat(verdict.current().state())
        .as("a failure between successes resets the count")
        .isEqualTo(State.UNKNOWN);
    check(verdict, true, "ok");
    check(verdict, true, "ok");
    assertThat(check(verdict, true, "ok")).map(TargetHealth::state).contains(State.HEALTHY);

    assertThat(check(verdict, false, "HTTP 500")).as("one of two failures").isEmpty();
    check(verdict, true, "ok");
    assertThat(check(verdict, false, "HTTP 500")).isEmpty();
    assertThat(check(verdict, false, "HTTP 503")).map(TargetHealth::reason).contains("HTTP 503");
  }
}
