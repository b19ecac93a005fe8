package io.gatehouse.proxy.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.join.JoinRefusedException.Reason;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The redeem decision on a real state store, fed in log order as a materializer would. */
class JoinTokensTest {
  private static final ClusterSecret SECRET = ClusterSecret.of(new byte[32]);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock();
  private LoopbackLog log;
  private final List<JoinTokens> opened = new ArrayList<>();
  private JoinTokens tokens;

  @BeforeEach
  void open() {
    log = new LoopbackLog();
    tokens = proxy("proxy-1");
  }

  @AfterEach
  void close() {
    opened.forEach(JoinTokens::close);
    log.close();
  }

  private JoinTokens proxy(String id) {
    LoopbackLog.Member m = log.member(dir.resolve(id));
    JoinTokens t =
        JoinTokens.open(
            m.store(),
            m.flux(),
            log.publisher(),
            SECRET,
            new AuditLog(log.publisher(), clock, id),
            clock,
            id);
    opened.add(t);
    return t;
  }

  private IssuedToken add(OptionalInt uses, ResourceKind... kinds) {
    IssuedToken issued =
        join(
            tokens.add(
                new TokenRequest(
                    EnumSet.copyOf(List.of(kinds)),
                    Duration.ofMinutes(30),
                    uses,
                    "alice@host",
                    "rack 4")));
    log.settle();
    return issued;
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static JoinRefusedException refusal(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof JoinRefusedException r) {
        return r;
      }
      throw e;
    }
    throw new AssertionError("expected a refusal, got a grant");
  }

  @Test
  void validTokenWorksOnceWithOneUse() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP, ResourceKind.DB);

    TokenGrant grant = join(tokens.redeem(t.token(), "agent-a", Set.of("app")));
    JoinRefusedException second = refusal(tokens.redeem(t.token(), "agent-b", Set.of("app")));

    assertThat(grant.kinds()).containsExactly(ResourceKind.APP);
    assertThat(grant.tokenId()).isEqualTo(t.info().id());
    assertThat(grant.rejoin()).isFalse();
    assertThat(second.reason()).isEqualTo(Reason.USED_UP);
    assertThat(second.getMessage())
        .contains(t.info().id(), "agent-b", "used up")
        .doesNotContain(t.token());
    // The refused claim is withdrawn by its own tombstone, which may still be on its way.
    Eventually.within(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(tokens.token(t.info().id()).orElseThrow().uses()).isEqualTo(1));
  }

  @Test
  void tokenWithTwoUsesLetsTwoDistinctAgentsIn() {
    IssuedToken t = add(OptionalInt.of(2), ResourceKind.DB);

    join(tokens.redeem(t.token(), "agent-a", Set.of("db")));
    join(tokens.redeem(t.token(), "agent-b", Set.of("db")));

    assertThat(refusal(tokens.redeem(t.token(), "agent-c", Set.of("db"))).reason())
        .isEqualTo(Reason.USED_UP);
  }

  @Test
  void unlimitedTokenLetsAnyNumberOfAgentsInUntilItExpires() {
    IssuedToken t = add(OptionalInt.empty(), ResourceKind.APP);
    for (int i = 0; i < 5; i++) {
      join(tokens.redeem(t.token(), "agent-" + i, Set.of()));
    }
    clock.advance(Duration.ofMinutes(31));

    assertThat(refusal(tokens.redeem(t.token(), "agent-x", Set.of())).reason())
        .isEqualTo(Reason.EXPIRED);
    assertThat(tokens.tokens()).singleElement().satisfies(j -> assertThat(j.uses()).isEqualTo(5));
  }

  @Test
  void sameAgentRejoiningTakesNoSecondUse() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);

    join(tokens.redeem(t.token(), "agent-a", Set.of("app")));
    TokenGrant again = join(tokens.redeem(t.token(), "agent-a", Set.of("app")));

    assertThat(again.rejoin()).isTrue();
    assertThat(refusal(tokens.redeem(t.token(), "agent-b", Set.of("app"))).reason())
        .isEqualTo(Reason.USED_UP);
  }

  @Test
  void expiredTokenIsRefusedNamingItsExpiry() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);
    clock.advance(Duration.ofMinutes(30));

    JoinRefusedException r = refusal(tokens.redeem(t.token(), "agent-a", Set.of("app")));

    assertThat(r.reason()).isEqualTo(Reason.EXPIRED);
    assertThat(r.getMessage()).contains(t.info().id(), "expired at " + t.info().expiresAt());
  }

  @Test
  void removedTokenIsRefusedAsUnknownOrRemoved() {
    IssuedToken t = add(OptionalInt.of(3), ResourceKind.APP);
    join(tokens.redeem(t.token(), "agent-a", Set.of("app")));

    JoinToken removed = join(tokens.remove(t.info().id(), "alice"));
    log.settle();

    assertThat(removed.id()).isEqualTo(t.info().id());
    assertThat(tokens.tokens()).isEmpty();
    JoinRefusedException r = refusal(tokens.redeem(t.token(), "agent-b", Set.of("app")));
    assertThat(r.reason()).isEqualTo(Reason.UNKNOWN);
    assertThat(r.getMessage()).contains("unknown or removed", "agent-b");
  }

  @Test
  void removingAnUnknownIdFailsNamingIt() {
    assertThatThrownBy(() -> join(tokens.remove("0123456789ab", "alice")))
        .hasCauseInstanceOf(ProxyException.class)
        .hasMessageContaining("no join token with id '0123456789ab'");
  }

  @Test
  void neverIssuedTokenIsUnknown() {
    add(OptionalInt.of(1), ResourceKind.APP);

    assertThat(refusal(tokens.redeem(TokenText.PREFIX + "0".repeat(64), "agent-a", Set.of())))
        .extracting(JoinRefusedException::reason)
        .isEqualTo(Reason.UNKNOWN);
    assertThat(refusal(tokens.redeem("not a token", "agent-a", Set.of())).reason())
        .isEqualTo(Reason.UNKNOWN);
  }

  @Test
  void wrongKindIsRefusedNamingBothSets() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP, ResourceKind.DB);

    JoinRefusedException r = refusal(tokens.redeem(t.token(), "agent-a", Set.of("app", "kube")));

    assertThat(r.reason()).isEqualTo(Reason.WRONG_KIND);
    assertThat(r.getMessage()).contains("[app, kube]", "allows only [app, db]", t.info().id());
    // A refusal before the claim takes no use.
    join(tokens.redeem(t.token(), "agent-a", Set.of("db")));
  }

  @Test
  void askingForNoKindGrantsEveryKindOfTheToken() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP, ResourceKind.DB);

    assertThat(join(tokens.redeem(t.token(), "agent-a", Set.of())).kinds())
        .containsExactlyInAnyOrder(ResourceKind.APP, ResourceKind.DB);
  }

  @Test
  void eachReasonHasItsOwnMessage() {
    IssuedToken used = add(OptionalInt.of(1), ResourceKind.APP);
    join(tokens.redeem(used.token(), "agent-a", Set.of()));
    IssuedToken kinds = add(OptionalInt.of(1), ResourceKind.APP);
    IssuedToken removed = add(OptionalInt.of(1), ResourceKind.APP);
    join(tokens.remove(removed.info().id(), "alice"));
    log.settle();
    IssuedToken expired = add(OptionalInt.of(1), ResourceKind.APP);

    String usedUp = refusal(tokens.redeem(used.token(), "agent-b", Set.of())).getMessage();
    String wrongKind = refusal(tokens.redeem(kinds.token(), "agent-b", Set.of("db"))).getMessage();
    String unknown = refusal(tokens.redeem(removed.token(), "agent-b", Set.of())).getMessage();
    clock.advance(Duration.ofHours(1));
    String expiredMessage =
        refusal(tokens.redeem(expired.token(), "agent-b", Set.of())).getMessage();

    assertThat(List.of(usedUp, wrongKind, unknown, expiredMessage)).doesNotHaveDuplicates();
    assertThat(usedUp).contains("used up");
    assertThat(wrongKind).contains("allows only");
    assertThat(unknown).contains("unknown or removed");
    assertThat(expiredMessage).contains("expired");
  }

  @Test
  void everyDecisionIsAuditedWithoutTheToken() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);
    join(tokens.redeem(t.token(), "agent-a", Set.of("app")));
    refusal(tokens.redeem(t.token(), "agent-b", Set.of("app")));
    refusal(tokens.redeem(t.token(), "agent-c", Set.of("db")));

    assertThat(log.audit)
        .extracting(AuditEvent::getType, AuditEvent::getAgentId, AuditEvent::getOutcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AuditLog.TOKEN_CREATE, null, "ok"),
            org.assertj.core.groups.Tuple.tuple(AuditLog.JOIN_ACCEPTED, "agent-a", "ok"),
            org.assertj.core.groups.Tuple.tuple(AuditLog.JOIN_REFUSED, "agent-b", "denied"),
            org.assertj.core.groups.Tuple.tuple(AuditLog.JOIN_REFUSED, "agent-c", "denied"));
    assertThat(log.audit.get(2).getDetails())
        .containsEntry("reason", "used-up")
        .containsEntry("token", t.info().id());
    assertThat(log.audit.get(3).getDetails()).containsEntry("reason", "wrong-kind");
    assertThat(log.audit).allSatisfy(e -> assertThat(e.toString()).doesNotContain(t.token()));
  }

  @Test
  void theTokenIsNeverWrittenToTheTopic() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);
    join(tokens.redeem(t.token(), "agent-a", Set.of("app")));
    refusal(tokens.redeem(t.token(), "agent-b", Set.of("app")));
    log.settle();

    assertThat(log.tokenValues).isNotEmpty();
    String secretHex = t.token().substring(TokenText.PREFIX.length());
    for (byte[] value : log.tokenValues) {
      if (value != null) {
        assertThat(new String(value, StandardCharsets.ISO_8859_1)).doesNotContain(secretHex);
      }
    }
    assertThat(t.toString()).doesNotContain(t.token());
  }

  @Test
  void twoProxiesRacingForAOneUseTokenLetExactlyOneAgentIn() {
    JoinTokens other = proxy("proxy-2");
    for (int round = 0; round < 20; round++) {
      IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);
      CompletionStage<TokenGrant> a = tokens.redeem(t.token(), "agent-a" + round, Set.of());
      CompletionStage<TokenGrant> b = other.redeem(t.token(), "agent-b" + round, Set.of());
      int granted = 0;
      for (CompletionStage<TokenGrant> s : List.of(a, b)) {
        try {
          join(s);
          granted++;
        } catch (CompletionException e) {
          assertThat(e.getCause())
              .isInstanceOfSatisfying(
                  JoinRefusedException.class,
                  r -> assertThat(r.reason()).isEqualTo(Reason.USED_UP));
        }
      }
      assertThat(granted).as("round " + round).isEqualTo(1);
    }
  }

  @Test
  void invalidAgentIdFailsWithoutADecision() {
    IssuedToken t = add(OptionalInt.of(1), ResourceKind.APP);

    assertThatThrownBy(() -> join(tokens.redeem(t.token(), "a/b", Set.of())))
        .hasCauseInstanceOf(ProxyException.class)
        .hasMessageContaining("invalid agent id");
  }
}
