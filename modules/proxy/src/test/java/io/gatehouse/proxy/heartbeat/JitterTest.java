package io.gatehouse.proxy.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JitterTest {

  @Test
  void periodsAreShortenedByAtMostTheSpreadAndNeverLengthened() {
    Jitter jitter = new Jitter(new Random(42), 0.25);
    Duration period = Duration.ofSeconds(60);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      Duration d = jitter.next(period);
      assertThat(d).isBetween(Duration.ofSeconds(45), period);
      seen.add(d.toSeconds());
    }
    assertThat(seen)
        .as("spread over the whole window, so a fleet drifts apart")
        .hasSizeGreaterThan(10);
  }

  @Test
  void zeroSpreadIsExact() {
    assertThat(new Jitter(new Random(1), 0).next(Duration.ofMillis(500)))
        .isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> new Jitter(new Random(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
