package io.gatehouse.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PendingLoginsTest {
  private final MutableClock clock = MutableClock.ofNow();

  private PendingLogin login(String state) {
    return new PendingLogin(
        URI.create("https://idp.example.com/authorize?state=" + state),
        state,
        "nonce-" + state,
        "verifier-" + state,
        URI.create("https://gatehouse.example.com/v1/login/oidc/callback"),
        clock.instant());
  }

  @Test
  void aStateIsTakenOnceThenFindsNothing() {
    PendingLogins logins = new PendingLogins(Duration.ofMinutes(10), 100, clock);
    PendingLogin login = login("s1");
    logins.add(login);

    assertThat(logins.take("s1")).contains(login);
    assertThat(logins.take("s1")).isEmpty();
    assertThat(logins.size()).isZero();
  }

  @Test
  void unknownOrMissingStateFindsNothing() {
    PendingLogins logins = new PendingLogins(Duration.ofMinutes(10), 100, clock);
    logins.add(login("s1"));

    assertThat(logins.take("s2")).isEmpty();
    assertThat(logins.take(null)).isEmpty();
    assertThat(logins.take("s1")).isPresent();
  }

  @Test
  void aLoginExpiresAfterItsTimeToLive() {
    PendingLogins logins = new PendingLogins(Duration.ofMinutes(10), 100, clock);
    logins.add(login("early"));
    clock.advance(Duration.ofMinutes(9));
    logins.add(login("late"));
    clock.advance(Duration.ofMinutes(1));

    assertThat(logins.take("early")).isEmpty();
    assertThat(logins.take("late")).isPresent();
  }

  @Test
  void whenFullTheExpiredGoFirstThenTheOldest() {
    PendingLogins logins = new PendingLogins(Duration.ofMinutes(10), 3, clock);
    logins.add(login("a"));
    clock.advance(Duration.ofMinutes(6));
    logins.add(login("b"));
    logins.add(login("c"));
    clock.advance(Duration.ofMinutes(5)); // a has expired, b and c have not

    logins.add(login("d"));
    assertThat(logins.snapshot()).containsOnlyKeys("b", "c", "d");

    logins.add(login("e"));
    assertThat(logins.snapshot()).containsOnlyKeys("c", "d", "e");
    assertThat(logins.take("b")).isEmpty();
    assertThat(logins.take("e")).isPresent();
  }

  @Test
  void defaultsAreTenMinutesAndTenThousandLogins() {
    assertThat(PendingLogins.DEFAULT_TTL).isEqualTo(Duration.ofMinutes(10));
    assertThat(PendingLogins.DEFAULT_CAPACITY).isEqualTo(10_000);
  }

  @Test
  void toStringLeavesTheSecretsOut() {
    assertThat(login("s3cr3t-state").toString()).doesNotContain("s3cr3t-state");
  }
}
