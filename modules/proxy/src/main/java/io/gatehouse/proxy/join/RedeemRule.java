package io.gatehouse.proxy.join;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.join.JoinRefusedException.Reason;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The redeem decision, as pure functions of what the table holds: {@link #check} before a use is
 * claimed (is there such a token, is it still valid, does it allow what the agent asks), {@link
 * #checkUses} once the claim is read back (does it fit within the token's uses). Refusals name the
 * token's public id and the agent, never the token.
 */
final class RedeemRule {
  private RedeemRule() {}

  /**
   * @param token the token presented, or {@code null} when the table has none of that hash
   * @param requested the kind words the agent asks to serve; empty asks for all the token allows
   * @return the kinds to grant
   * @throws JoinRefusedException {@link Reason#UNKNOWN}, {@link Reason#EXPIRED} or {@link
   *     Reason#WRONG_KIND}
   */
  static Set<ResourceKind> check(
      JoinToken token, String agentId, Set<String> requested, Instant now) {
    if (token == null) {
      throw unknown(agentId);
    }
    if (token.isExpired(now)) {
      throw new JoinRefusedException(
          Reason.EXPIRED,
          token.id(),
          "agent "
              + agentId
              + " presented join token "
              + token.id()
              + ", which expired at "
              + token.expiresAt());
    }
    if (requested.isEmpty()) {
      return token.kinds();
    }
    Set<ResourceKind> asked = EnumSet.noneOf(ResourceKind.class);
    boolean allowed = true;
    for (String word : requested) {
      Optional<ResourceKind> kind = ResourceKind.parse(word);
      kind.ifPresent(asked::add);
      allowed &= kind.isPresent() && token.kinds().contains(kind.get());
    }
    if (!allowed) {
      throw new JoinRefusedException(
          Reason.WRONG_KIND,
          token.id(),
          "agent "
              + agentId
              + " asked to serve "
              + words(requested)
              + " but join token "
              + token.id()
              + " allows only "
              + words(token.kinds()));
    }
    return asked;
  }

  /**
   * @param token the token as the table holds it when the claim is read back, or {@code null} when
   *     it was removed meanwhile
   * @param agents how many distinct agents have a claim of it present, this one included
   * @throws JoinRefusedException {@link Reason#UNKNOWN} or {@link Reason#USED_UP}
   */
  static void checkUses(JoinToken token, String agentId, int agents) {
    if (token == null) {
      throw unknown(agentId);
    }
    if (token.maxUses().isPresent() && agents > token.maxUses().getAsInt()) {
      int max = token.maxUses().getAsInt();
      throw new JoinRefusedException(
          Reason.USED_UP,
          token.id(),
          "agent "
              + agentId
              + " presented join token "
              + token.id()
              + ", which is used up ("
              + (max == 1 ? "its one use is" : "all " + max + " uses are")
              + " taken)");
    }
  }

  static JoinRefusedException unknown(String agentId) {
    return new JoinRefusedException(
        Reason.UNKNOWN,
        null,
        "agent " + agentId + " presented a join token that is unknown or removed");
  }

  /** {@code [app, db]}, sorted, lower case. */
  private static String words(Set<?> kinds) {
    Set<String> out = new TreeSet<>();
    for (Object k : kinds) {
      out.add(k.toString().toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }
}
