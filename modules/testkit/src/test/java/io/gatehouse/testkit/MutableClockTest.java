package io.gatehouse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  private static final Instant START = Instant.parse("2030-06-01T12:00:00Z");

  @Test
  void standsStillAtItsStart() {
    MutableClock clock = new MutableClock(START);

    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void defaultClockStartsAtDocumentedInstant() {
    assertThat(new MutableClock().instant()).isEqualTo(MutableClock.DEFAULT_START);
  }

  @Test
  void advanceMovesTheClockAndReturnsTheNewInstant() {
    MutableClock clock = new MutableClock(START);

    Instant later = clock.advance(Duration.ofMinutes(5));

    assertThat(later).isEqualTo(START.plusSeconds(300));
    assertThat(clock.instant()).isEqualTo(later);
    assertThat(clock.advance(Duration.ofSeconds(-60))).isEqualTo(START.plusSeconds(240));
  }

  @Test
  void setJumpsToAnyInstant() {
    MutableClock clock = new MutableClock(START);

    clock.set(Instant.EPOCH);

    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void zonedViewSharesTheTime() {
    MutableClock clock = new MutableClock(START);
    MutableClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofHours(1));
    paris.advance(Duration.ofHours(1));

    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(paris.instant()).isEqualTo(clock.instant()).isEqualTo(START.plusSeconds(7200));
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }

  @Test
  void concurrentAdvancesAreNotLost() throws InterruptedException {
    MutableClock clock = new MutableClock(START);
    int threads = 4;
    int advancesPerThread = 10_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int j = 0; j < advancesPerThread; j++) {
                  clock.advance(Duration.ofMillis(1));
                }
              });
      worker.start();
      workers.add(worker);
    }

    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    assertThat(clock.instant()).isEqualTo(START.plusMillis((long) threads * advancesPerThread));
  }
}
