package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import io.vertx.core.Future;

/**
 * Where a logout revokes its credential: a lock on {@code credential/<id>} on {@code
 * gatehouse.locks} that lasts as long as the credential could still verify, so every proxy refuses
 * it from then on, across restarts. Answered once this proxy's state shows it (read your writes):
 * the credential is refused here by the time the logout is answered.
 */
@FunctionalInterface
public interface Revocations {
  /** Revokes {@code credential} on every proxy until it expires. */
  Future<Void> revoke(Credential credential);
}
