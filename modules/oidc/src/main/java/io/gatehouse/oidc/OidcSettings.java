package io.gatehouse.oidc;

import io.gatehouse.config.ConfigNode;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the proxy signs users in through an OpenID Connect provider: the block {@code auth.oidc} of
 * {@code proxy.yaml}, validated once by {@link #read(ConfigNode)}.
 *
 * <pre>{@code
 * oidc:
 *   issuer: https://idp.example.com/realms/x    # https, or http on a loopback host
 *   client_id: gatehouse
 *   client_secret_file: /etc/gatehouse/oidc.secret  # absent: a public client (PKCE only)
 *   scopes: [openid, email]                      # default openid, profile, email
 *   username_claim: email                        # default preferred_username, then email, then sub
 *   roles_claim: groups                          # default groups
 *   claim_roles: { admins: [admin], devs: [dev] }  # claim value -> roles; "*": roles for any value
 *   default_roles: []                            # roles every user who signs in gets
 * }</pre>
 *
 * @param issuer the provider's issuer identifier, exactly as its ID tokens name it
 * @param clientId this proxy's client id at the provider
 * @param clientSecret the client secret, read from its file; empty for a public client. Never
 *     printed: {@link #toString()} says only whether there is one
 * @param scopes the scopes asked for; always includes {@code openid}
 * @param usernameClaim the claim that names the Gatehouse user; the default {@value
 *     #DEFAULT_USERNAME_CLAIM} falls back to {@code email}, then {@code sub}
 * @param rolesClaim the claim whose values {@code claimRoles} maps (a string or a list of strings;
 *     a dotted name reaches into nested claims, e.g. {@code realm_access.roles})
 * @param claimRoles claim value → Gatehouse role names; the key {@code "*"} gives its roles to
 *     every user whose roles claim has at least one value
 * @param defaultRoles roles every user who signs in gets
 */
public record OidcSettings(
    URI issuer,
    String clientId,
    Optional<String> clientSecret,
    List<String> scopes,
    String usernameClaim,
    String rolesClaim,
    Map<String, List<String>> claimRoles,
    List<String> defaultRoles) {
  public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");
  public static final String DEFAULT_USERNAME_CLAIM = "preferred_username";

  /** Tried in this order when {@link #usernameClaim()} is left at its default. */
  static final List<String> DEFAULT_USERNAME_FALLBACK =
      List.of(DEFAULT_USERNAME_CLAIM, "email", "sub");

  public static final String DEFAULT_ROLES_CLAIM = "groups";

  /** The key of {@link #claimRoles()} whose roles go with any value of the roles claim. */
  public static final String ANY_VALUE = "*";

  public OidcSettings {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientSecret, "clientSecret");
    scopes = List.copyOf(scopes);
    if (!scopes.contains("openid")) {
      throw new IllegalArgumentException("the scopes must include openid");
    }
    Objects.requireNonNull(usernameClaim, "usernameClaim");
    Objects.requireNonNull(rolesClaim, "rolesClaim");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    claimRoles.forEach((value, roles) -> copy.put(value, List.copyOf(roles)));
    claimRoles = Collections.unmodifiableMap(copy);
    defaultRoles = List.copyOf(defaultRoles);
  }

  /** Settings with every default: no role mapping, no default roles. */
  public static OidcSettings of(URI issuer, String clientId, Optional<String> clientSecret) {
    return new OidcSettings(
        issuer,
        clientId,
        clientSecret,
        DEFAULT_SCOPES,
        DEFAULT_USERNAME_CLAIM,
        DEFAULT_ROLES_CLAIM,
        Map.of(),
        List.of());
  }

  /** These settings with another mapping from claim values to roles. */
  public OidcSettings withRoles(Map<String, List<String>> claimRoles, List<String> defaultRoles) {
    return new OidcSettings(
        issuer,
        clientId,
        clientSecret,
        scopes,
        usernameClaim,
        rolesClaim,
        claimRoles,
        defaultRoles);
  }

  /** These settings naming the user by another claim (no fallback unless it is the default). */
  public OidcSettings withUsernameClaim(String usernameClaim) {
    return new OidcSettings(
        issuer,
        clientId,
        clientSecret,
        scopes,
        usernameClaim,
        rolesClaim,
        claimRoles,
        defaultRoles);
  }

  /**
   * Reads and validates {@code node} (the {@code auth.oidc} block), recording every problem at its
   * key path in the node's document, e.g. {@code auth.oidc.issuer: must use https ...}. The client
   * secret is read from {@code client_secret_file} here, once, trimmed; no problem ever quotes it.
   * Unknown keys are left for {@code ConfigDocument.requireValid()} to report, like everywhere
   * else.
   *
   * @return the settings; {@code null} when {@code issuer} or {@code client_id} could not be read
   *     (the problem is recorded, so the document fails as a whole in {@code requireValid()})
   */
  public static OidcSettings read(ConfigNode node) {
    return OidcSettingsReader.read(node);
  }

  /** Every setting but the secret, of which it says only whether there is one. */
  @Override
  public String toString() {
    return "OidcSettings[issuer="
        + issuer
        + ", clientId="
        + clientId
        + ", clientSecret="
        + (clientSecret.isPresent() ? "(set)" : "(none: public client)")
        + ", scopes="
        + scopes
        + ", usernameClaim="
        + usernameClaim
        + ", rolesClaim="
        + rolesClaim
        + ", claimRoles="
        + claimRoles
        + ", defaultRoles="
        + defaultRoles
        + "]";
  }
}
