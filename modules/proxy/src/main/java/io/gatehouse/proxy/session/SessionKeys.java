package io.gatehouse.proxy.session;

import io.gatehouse.pki.ClusterSecret;
import java.util.Objects;

/**
 * What stands for a session wherever it is written down: the key of its pin on {@code
 * gatehouse.sessions}, the session of its audit events, the rows of the API. A session id is a
 * bearer secret (whoever holds the cookie continues the session), so none of those hold it: they
 * hold its {@linkplain #of key}, the HMAC-SHA256 of the id under the cluster secret, which only
 * proxies have. The proxy finds a cookie's pin by hashing the cookie; nothing read back from a
 * topic ever yields a cookie.
 *
 * <p>People see the {@linkplain #shortId short id}, the first {@value #SHORT_ID_LENGTH} hex digits
 * of the key: {@code /v1/sessions}, the dashboard and {@code gatehouse audit tail} all show the
 * same one. Thread-safe.
 */
public final class SessionKeys {
  /** Hex digits of a key that people see: 48 bits, unique enough among open sessions. */
  public static final int SHORT_ID_LENGTH = 12;

  private final ClusterSecret secret;

  public SessionKeys(ClusterSecret secret) {
    this.secret = Objects.requireNonNull(secret, "secret");
  }

  /** The key of session {@code sessionId}: 64 lower-case hex digits. */
  public String of(String sessionId) {
    return secret.hash(ClusterSecret.Purpose.SESSION, sessionId);
  }

  /**
   * The short id people see for a session key. Also safe on what an older release wrote in its
   * place (the session id itself): a prefix of it, too short to present as a cookie.
   */
  public static String shortId(String key) {
    return key.substring(0, Math.min(SHORT_ID_LENGTH, key.length()));
  }

  @Override
  public String toString() {
    return "SessionKeys[secret redacted]";
  }
}
