package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.tunnel.TunnelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TunnelRedialTest {
  private static final TunnelException BUSY =
      new TunnelException("proxy busy", null, ErrorCode.OVERLOADED.code());
  private static final TunnelException REFUSED = new TunnelException("cannot reach proxy");

  @Test
  void anUnreachableProxyIsRedialedWithinTwoSecondsHoweverLongItIsAway() {
    TunnelRedial redial = new TunnelRedial(new SplittableRandom(1));
    for (int i = 0; i < 1_000; i++) {
      assertThat(redial.next(REFUSED)).isBetween(TunnelRedial.FIRST, TunnelRedial.MAX);
    }
  }

  @Test
  void aBusyProxyIsLeftLongerEachTimeUpToTheBusyCeiling() {
    TunnelRedial redial = new TunnelRedial(new Highest());
    List<Duration> ceilings = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ceilings.add(redial.next(BUSY));
    }
    assertThat(ceilings)
        .containsExactly(
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            TunnelRedial.BUSY_MAX,
            TunnelRedial.BUSY_MAX,
            TunnelRedial.BUSY_MAX);
  }

  @Test
  void busyPausesAreSpreadFromTheLeastPauseToTheCeiling() {
    // Full jitter: a fleet shed at once comes back over the whole window, not at its end.
    TunnelRedial redial = new TunnelRedial(new SplittableRandom(7));
    long shortest = Long.MAX_VALUE;
    long longest = 0;
    for (int i = 0; i < 2_000; i++) {
      redial.reset();
      for (int n = 0; n < 4; n++) {
        redial.next(BUSY);
      }
      long pause = redial.next(BUSY).toMillis();
      shortest = Math.min(shortest, pause);
      longest = Math.max(longest, pause);
      assertThat(pause).isBetween(TunnelRedial.FIRST.toMillis(), TunnelRedial.BUSY_MAX.toMillis());
    }
    assertThat(shortest).isLessThan(1_000);
    assertThat(longest).isGreaterThan(TunnelRedial.BUSY_MAX.toMillis() - 1_000);
  }

  @Test
  void aTunnelUpStartsBothBackOffsOver() {
    TunnelRedial redial = new TunnelRedial(new Highest());
    for (int i = 0; i < 5; i++) {
      redial.next(BUSY);
      redial.next(REFUSED);
    }
    redial.reset();
    assertThat(redial.next(BUSY)).isEqualTo(TunnelRedial.MAX);
    assertThat(redial.next(REFUSED)).isEqualTo(TunnelRedial.FIRST);
  }

  @Test
  void busyIsFoundInsideWrappingExceptionsOnly() {
    assertThat(TunnelRedial.isBusy(new CompletionException(BUSY))).isTrue();
    assertThat(TunnelRedial.isBusy(REFUSED)).isFalse();
    assertThat(TunnelRedial.isBusy(new TunnelException("x", null, "lane-refused"))).isFalse();
    assertThat(TunnelRedial.isBusy(null)).isFalse();
  }

  /** The highest double below 1 at every draw: each pause is its ceiling. */
  private static final class Highest implements RandomGenerator {
    @Override
    public long nextLong() {
      return Long.MAX_VALUE;
    }

    @Override
    public double nextDouble() {
      return Math.nextDown(1.0);
    }
  }
}
