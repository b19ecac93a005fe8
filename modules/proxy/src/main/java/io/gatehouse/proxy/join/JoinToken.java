package io.gatehouse.proxy.join;

import io.gatehouse.events.ResourceKind;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A join token as {@code tokens ls} shows it: everything but the token itself, which is never
 * stored.
 *
 * @param id the public id (first 12 hex digits of the token's keyed hash), taken by {@code tokens
 *     rm}
 * @param kinds the resource kinds an agent joining with it may serve
 * @param maxUses how many distinct agents may join with it; empty for any number
 * @param uses how many distinct agents have claimed a use of it
 * @param createdBy who or what issued it (free text)
 * @param description the operator's note, or {@code null}
 */
public record JoinToken(
    String id,
    Set<ResourceKind> kinds,
    Instant createdAt,
    Instant expiresAt,
    OptionalInt maxUses,
    int uses,
    String createdBy,
    String description) {

  public JoinToken {
    Objects.requireNonNull(id, "id");
    kinds = Set.copyOf(kinds);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(maxUses, "maxUses");
  }

  /** Whether it is past its expiry at {@code now}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** Whether as many distinct agents as it allows have joined with it. */
  public boolean isUsedUp() {
    return maxUses.isPresent() && uses >= maxUses.getAsInt();
  }

  /** {@code active}, {@code expired} or {@code used-up}, as {@code tokens ls} prints it. */
  public String status(Instant now) {
    return isExpired(now) ? "expired" : isUsedUp() ? "used-up" : "active";
  }
}
