package io.gatehouse.access;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A verified user credential: who, with which roles (as of login), for how long, and how they
 * logged in.
 *
 * @param id the credential's unique id ({@code jti}, 32 hex digits): what a revocation names
 * @param method how the user logged in: {@code password} or {@code sso}
 */
public record Credential(
    String user,
    List<String> roles,
    Instant issuedAt,
    Instant expiresAt,
    String id,
    String method) {
  public Credential {
    Objects.requireNonNull(user, "user");
    roles = List.copyOf(roles);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(method, "method");
  }
}
