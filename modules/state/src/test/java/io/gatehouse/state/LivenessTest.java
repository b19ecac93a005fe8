package io.gatehouse.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LivenessTest {
  private static final Instant T0 = Instant.parse("2026-11-23T21:00:00Z");
  private static final Duration TTL = Duration.ofSeconds(3);

  private final AtomicReference<Instant> seen = new AtomicReference<>(T0);
  private final Liveness liveness = new Liveness(seen::get);

  @Test
  void beatIsFreshWithinItsTtlOfStreamTime() {
    seen.set(T0.plusMillis(2999));

    assertThat(liveness.isFresh(T0, TTL)).isTrue();
  }

  @Test
  void beatExpiresOnceStreamTimePassesItsTtl() {
    seen.set(T0.plus(TTL));

    assertThat(liveness.isFresh(T0, TTL)).isFalse();
  }

  @Test
  void beatNeverExpiresWhileStreamTimeStandsStill() {
    // Wall clock may run on for hours; only stream time counts.
    assertThat(liveness.isFresh(T0.minusMillis(1), TTL)).isTrue();
    assertThat(liveness.age(T0.minusSeconds(1))).isEqualTo(Duration.ofSeconds(1));
  }
}
