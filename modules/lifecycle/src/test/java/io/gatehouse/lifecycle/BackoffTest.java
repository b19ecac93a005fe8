package io.gatehouse.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsExponentiallyWithJitterUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7));
    long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000, 2000};
    for (long ceiling : ceilings) {
      assertThat(backoff.next().toMillis()).isBetween(100L, ceiling);
    }
    backoff.reset();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void twoAgentsWithDifferentRandomnessDoNotRetryInLockStep() {
    Backoff a = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(1));
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(2));
    long differences = 0;
    for (int i = 0; i < 10; i++) {
      if (!a.next().equals(b.next())) {
        differences++;
      }
    }
    assertThat(differences).isGreaterThan(5);
  }

  @Test
  void boundsMustBePositiveAndOrdered() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalBoundsWaitExactlyThatLong() {
    Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(50), new Random(3));

    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
  }
}
