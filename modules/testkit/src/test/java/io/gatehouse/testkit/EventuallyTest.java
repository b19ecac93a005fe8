package io.gatehouse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {

  private static final Duration SHORT = Duration.ofMillis(200);

  @Test
  void untilReturnsOnceConditionHolds() {
    AtomicInteger calls = new AtomicInteger();

    Eventually.within(Duration.ofSeconds(5)).until(() -> calls.incrementAndGet() == 3);

    assertThat(calls).hasValue(3);
  }

  @Test
  void untilFailsNamingTheTimeoutWhenConditionNeverHolds() {
    long begin = System.nanoTime();

    assertThatThrownBy(() -> Eventually.within(SHORT).until(() -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("PT0.2S");

    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(SHORT);
  }

  @Test
  void untilPollsNoMoreOftenThanEveryTenMilliseconds() {
    AtomicInteger calls = new AtomicInteger();

    catchThrowableOfType(
        AssertionError.class,
        () -> Eventually.within(SHORT).until(() -> calls.incrementAndGet() < 0));

    assertThat(calls.get()).isBetween(2, 21);
  }

  @Test
  void zeroTimeoutStillChecksOnce() {
    AtomicInteger calls = new AtomicInteger();

    Eventually.within(Duration.ZERO).until(() -> calls.incrementAndGet() > 0);

    assertThat(calls).hasValue(1);
  }

  @Test
  void untilPropagatesExceptionsOfTheCondition() {
    assertThatThrownBy(
            () ->
                Eventually.within(SHORT)
                    .until(
                        () -> {
                          throw new IllegalStateException("broken");
                        }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("broken");
  }

  @Test
  void untilAssertedRetriesFailedAssertionsAndExceptionsUntilItPasses() {
    AtomicInteger calls = new AtomicInteger();

    Eventually.within(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              int call = calls.incrementAndGet();
              if (call == 1) {
                throw new IOException("not connected yet");
              }
              assertThat(call).isEqualTo(4);
            });

    assertThat(calls).hasValue(4);
  }

  @Test
  void untilAssertedFailsWithTheLastAssertionErrorAsCause() {
    AtomicInteger calls = new AtomicInteger();

    AssertionError error =
        catchThrowableOfType(
            AssertionError.class,
            () ->
                Eventually.within(SHORT)
                    .untilAsserted(
                        () -> assertThat(calls.incrementAndGet()).as("attempt").isNegative()));

    assertThat(error).hasMessageContaining("PT0.2S");
    assertThat(error.getCause())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("[attempt]")
        .hasMessageContaining(Integer.toString(calls.get()));
  }

  @Test
  void untilAssertedLetsOtherErrorsThrough() {
    assertThatThrownBy(
            () ->
                Eventually.within(SHORT)
                    .untilAsserted(
                        () -> {
                          throw new StackOverflowError("deep");
                        }))
        .isInstanceOf(StackOverflowError.class);
  }

  @Test
  void negativeTimeoutIsRejected() {
    assertThatThrownBy(() -> Eventually.within(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatCode(() -> Eventually.within(Duration.ZERO)).doesNotThrowAnyException();
  }
}
