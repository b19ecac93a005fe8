package io.gatehouse.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.oidc.PendingLogin;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.testkit.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SsoBindingTest {
  private final MutableClock clock = new MutableClock();
  private final byte[] key = ClusterSecret.of(new byte[32]).derive(ClusterSecret.Purpose.SSO_LOGIN);
  private final SsoBinding binding = new SsoBinding(key, clock);

  private PendingLogin login(String state) {
    return new PendingLogin(
        URI.create("https://idp.example.com/authorize?state=" + state),
        state,
        "nonce-" + state,
        "verifier-" + state,
        URI.create("https://gatehouse.example.com/v1/login/sso/callback"),
        clock.instant());
  }

  @Test
  void anotherProxyOfTheClusterOpensTheLoginWithItsState() {
    PendingLogin started = login("state-1");
    String cookie =
        binding.seal(
            new SsoBinding.Login(
                started, Optional.of(URI.create("http://127.0.0.1:9/callback")), Optional.of("c")));

    SsoBinding.Login opened =
        new SsoBinding(
                ClusterSecret.of(new byte[32]).derive(ClusterSecret.Purpose.SSO_LOGIN), clock)
            .open(cookie, "state-1");

    assertThat(opened.pending()).isEqualTo(started);
    assertThat(opened.cli()).contains(URI.create("http://127.0.0.1:9/callback"));
    assertThat(opened.challenge()).contains("c");
    assertThat(cookie).doesNotContain("state-1", "nonce-", "verifier-");
  }

  @Test
  void aBrowserLoginHasNoCliAddress() {
    String cookie =
        binding.seal(new SsoBinding.Login(login("s"), Optional.empty(), Optional.empty()));

    assertThat(binding.open(cookie, "s").cli()).isEmpty();
    assertThat(binding.open(cookie, "s").challenge()).isEmpty();
  }

  @Test
  void anAnswerWithAnotherStateIsRefused() {
    String cookie =
        binding.seal(new SsoBinding.Login(login("mine"), Optional.empty(), Optional.empty()));

    for (String state : new String[] {"theirs", "", null}) {
      assertThatThrownBy(() -> binding.open(cookie, state))
          .isInstanceOf(Refusal.class)
          .hasMessageContaining("state mismatch")
          .satisfies(e -> assertThat(((Refusal) e).status()).isEqualTo(401));
    }
  }

  @Test
  void theCookieExpiresWithTheLogin() {
    String cookie =
        binding.seal(new SsoBinding.Login(login("s"), Optional.empty(), Optional.empty()));
    clock.advance(PendingLogin.TTL.minus(Duration.ofSeconds(1)));
    assertThat(binding.open(cookie, "s").pending().state()).isEqualTo("s");

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> binding.open(cookie, "s"))
        .isInstanceOf(Refusal.class)
        .hasMessage("the single sign-on cookie has expired: start again");
  }

  @Test
  void aCodeOfTheCliIsNoBindingCookie() {
    String code =
        new SsoCodes(key, clock).issue("alice", "credential", SsoCodes.challenge("v".repeat(43)));

    assertThatThrownBy(() -> binding.open(code, "s"))
        .isInstanceOf(Refusal.class)
        .satisfies(e -> assertThat(((Refusal) e).status()).isEqualTo(400));
  }

  @Test
  void theCookieIsStrict() {
    assertThat(SsoBinding.setCookie("v"))
        .isEqualTo("__Host-gatehouse_sso=v; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Lax");
    assertThat(SsoBinding.clearCookie())
        .isEqualTo("__Host-gatehouse_sso=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
  }
}
