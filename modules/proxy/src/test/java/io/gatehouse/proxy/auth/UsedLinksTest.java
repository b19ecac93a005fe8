package io.gatehouse.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsedLinksTest {
  private final MutableClock clock = new MutableClock();

  private Instant inAMinute() {
    return clock.instant().plus(Duration.ofMinutes(1));
  }

  @Test
  void aValueIsClaimedOnceUntilItExpires() {
    UsedLinks used = new UsedLinks(clock);

    assertThat(used.claim("a", inAMinute())).isTrue();
    assertThat(used.claim("a", inAMinute())).isFalse();
    clock.advance(Duration.ofMinutes(2));
    assertThat(used.claim("a", inAMinute())).as("expired, so forgotten").isTrue();
  }

  @Test
  void whenFullRefuseTakesNothingMoreUntilSomeExpire() {
    UsedLinks used = new UsedLinks(clock, UsedLinks.WhenFull.REFUSE);
    for (int i = 0; i < UsedLinks.MAX; i++) {
      assertThat(used.claim("v" + i, inAMinute())).isTrue();
    }

    assertThat(used.claim("one more", inAMinute())).isFalse();
    clock.advance(Duration.ofMinutes(2));
    assertThat(used.claim("one more", inAMinute())).isTrue();
  }

  @Test
  void whenFullForgetOldestKeepsTakingAndForgetsTheFirstClaimed() {
    UsedLinks used = new UsedLinks(clock, UsedLinks.WhenFull.FORGET_OLDEST);
    for (int i = 0; i < UsedLinks.MAX; i++) {
      assertThat(used.claim("v" + i, inAMinute())).isTrue();
    }

    assertThat(used.claim("one more", inAMinute())).isTrue();
    assertThat(used.claim("v1", inAMinute())).as("still remembered").isFalse();
    assertThat(used.claim("v0", inAMinute())).as("the oldest, forgotten").isTrue();
  }
}
