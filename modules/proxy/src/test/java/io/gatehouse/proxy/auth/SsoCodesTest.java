package io.gatehouse.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SsoCodesTest {
  private static final String VERIFIER = "a-verifier_of.43~characters-0123456789abcde";
  private final MutableClock clock = new MutableClock();
  private final byte[] key = ClusterSecret.of(new byte[32]).derive(ClusterSecret.Purpose.SSO_CODE);
  private final SsoCodes codes = new SsoCodes(key, clock);

  private static int status(Throwable e) {
    return ((Refusal) e).status();
  }

  @Test
  void theChallengeIsS256AsInRfc7636() {
    // RFC 7636, appendix B.
    assertThat(SsoCodes.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assertThat(SsoCodes.isChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")).isTrue();
    assertThat(SsoCodes.isChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=")).isFalse();
    assertThat(SsoCodes.isChallenge("short")).isFalse();
  }

  @Test
  void aCodeIsRedeemedOnceWithItsVerifierOnAnyProxy() {
    String code = codes.issue("alice", "the-credential", SsoCodes.challenge(VERIFIER));
    assertThat(code).doesNotContain("the-credential", "alice");
    SsoCodes elsewhere = new SsoCodes(key, clock);

    assertThat(elsewhere.redeem(elsewhere.open(code), VERIFIER)).isEqualTo("the-credential");
    assertThatThrownBy(() -> elsewhere.redeem(elsewhere.open(code), VERIFIER))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("redeemed already")
        .satisfies(e -> assertThat(status(e)).isEqualTo(401));
  }

  @Test
  void aMismatchedVerifierIsRefusedAndDoesNotUseTheCodeUp() {
    String code = codes.issue("alice", "the-credential", SsoCodes.challenge(VERIFIER));
    String other = "another-verifier-of-43-characters-012345678";

    assertThatThrownBy(() -> codes.redeem(codes.open(code), other))
        .isInstanceOf(Refusal.class)
        .hasMessage(
            "the verifier does not match this single sign-on code: it belongs to another login")
        .satisfies(e -> assertThat(status(e)).isEqualTo(401));
    assertThat(codes.redeem(codes.open(code), VERIFIER)).isEqualTo("the-credential");
  }

  @Test
  void aVerifierThatIsNoPkceVerifierIsABadRequest() {
    SsoCodes.Code code = codes.open(codes.issue("alice", "c", SsoCodes.challenge(VERIFIER)));

    for (String bad : new String[] {null, "short", VERIFIER + " ", "é".repeat(43)}) {
      assertThatThrownBy(() -> codes.redeem(code, bad))
          .isInstanceOf(Refusal.class)
          .satisfies(e -> assertThat(status(e)).isEqualTo(400));
    }
  }

  @Test
  void aCodeLivesSixtySeconds() {
    String code = codes.issue("alice", "c", SsoCodes.challenge(VERIFIER));
    clock.advance(Duration.ofSeconds(60));

    assertThatThrownBy(() -> codes.open(code))
        .isInstanceOf(Refusal.class)
        .hasMessage("the single sign-on code has expired: start again")
        .satisfies(e -> assertThat(status(e)).isEqualTo(400));
  }

  @Test
  void aCodeSealedUnderAnotherKeyIsRefused() {
    String foreign =
        new SsoCodes(ClusterSecret.of(new byte[32]).derive(ClusterSecret.Purpose.SSO_LOGIN), clock)
            .issue("alice", "c", SsoCodes.challenge(VERIFIER));

    assertThatThrownBy(() -> codes.open(foreign))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("tampered with, or was sealed by another cluster");
  }

  @Test
  void anOpenedCodeNamesNoSecret() {
    SsoCodes.Code code = codes.open(codes.issue("alice", "the-credential", "x".repeat(43)));

    assertThat(code.toString()).contains("alice").doesNotContain("the-credential", "xxx");
  }
}
