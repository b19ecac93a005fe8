package io.gatehouse.oidc;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A login sent to the provider and not yet come back: what {@link OidcProvider#finish} needs to
 * check the answer. {@code state}, {@code nonce} and {@code codeVerifier} are secrets of this login
 * (each at least 128 random bits): keep the value where only the proxies can read it (server-side,
 * or encrypted under a key only they hold), finish it at most once, not after {@link #TTL}, and
 * never log it; {@link #toString()} leaves them out.
 *
 * @param authorizationUrl where to send the browser
 * @param state the value the provider echoes on the redirect back, binding it to this login
 * @param nonce the value the ID token must carry, binding the token to this login
 * @param codeVerifier the PKCE (S256) secret whose hash the authorization URL carries
 * @param redirectUri where the provider sends the browser back; the token request repeats it
 * @param createdAt when the login started, for expiry
 */
public record PendingLogin(
    URI authorizationUrl,
    String state,
    String nonce,
    String codeVerifier,
    URI redirectUri,
    Instant createdAt) {
  /** How long a login may take at the provider. */
  public static final Duration TTL = Duration.ofMinutes(10);

  public PendingLogin {
    Objects.requireNonNull(authorizationUrl, "authorizationUrl");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(codeVerifier, "codeVerifier");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** When the login may no longer be finished: {@link #TTL} after it started. */
  public Instant expiresAt() {
    return createdAt.plus(TTL);
  }

  /** Names the redirect and the start time only: the state, nonce and verifier are secrets. */
  @Override
  public String toString() {
    return "PendingLogin[redirectUri=" + redirectUri + ", createdAt=" + createdAt + "]";
  }
}
