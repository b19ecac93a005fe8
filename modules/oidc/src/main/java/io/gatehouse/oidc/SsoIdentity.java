package io.gatehouse.oidc;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who signed in through the provider, after every check passed.
 *
 * @param subject the provider's stable id for the user ({@code sub})
 * @param username the Gatehouse user name, from {@link OidcSettings#usernameClaim()}
 * @param roles the Gatehouse role names the claims map to, without duplicates, in the order the
 *     mapping produced them (default roles first); possibly empty
 * @param claims the claims of the ID token, completed from the userinfo endpoint when it was asked;
 *     immutable
 */
public record SsoIdentity(
    String subject, String username, List<String> roles, Map<String, Object> claims) {
  public SsoIdentity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(username, "username");
    roles = List.copyOf(roles);
    claims = Claims.freeze(claims);
  }
}
