package io.gatehouse.proxy.join;

import io.gatehouse.config.Durations;
import io.gatehouse.events.ResourceKind;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What {@code tokens add} asks for, validated: at least one kind, a time to live between one second
 * and {@link #MAX_TTL}, and at least one use when the uses are limited.
 *
 * @param maxUses how many distinct agents may join with it; empty for any number until it expires
 * @param createdBy who or what issues it (free text, e.g. {@code alice@host}), for the audit trail
 * @param description an operator's note, or {@code null}
 */
public record TokenRequest(
    Set<ResourceKind> kinds,
    Duration ttl,
    OptionalInt maxUses,
    String createdBy,
    String description) {
  /** What a token lives for when {@code --ttl} is not given. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(30);

  /** The longest a token may live: a join token is for joining now, not a standing credential. */
  public static final Duration MAX_TTL = Duration.ofHours(24);

  /**
   * @throws IllegalArgumentException naming the field and the rule it breaks
   */
  public TokenRequest {
    Objects.requireNonNull(kinds, "kinds");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(maxUses, "maxUses");
    Objects.requireNonNull(createdBy, "createdBy");
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("a join token needs at least one kind (app, db, ...)");
    }
    kinds = Set.copyOf(kinds);
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException(
          "ttl "
              + Durations.format(ttl)
              + " is out of range: a join token lives from 1s to "
              + Durations.format(MAX_TTL));
    }
    if (maxUses.isPresent() && maxUses.getAsInt() < 1) {
      throw new IllegalArgumentException("uses must be at least 1, not " + maxUses.getAsInt());
    }
  }
}
