package io.gatehouse.proxy.join;

import io.gatehouse.events.ResourceKind;
import java.util.Objects;
import java.util.Set;

/**
 * An accepted join: the agent may be given a certificate for {@code kinds}.
 *
 * @param tokenId the public id of the token it joined with
 * @param kinds what the agent asked for, or every kind of the token when it asked for none
 * @param rejoin true when this agent had claimed a use of the token before: a re-join (say, after a
 *     crash before it stored its certificate) takes no further use
 */
public record TokenGrant(String tokenId, String agentId, Set<ResourceKind> kinds, boolean rejoin) {
  public TokenGrant {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(agentId, "agentId");
    kinds = Set.copyOf(kinds);
  }
}
