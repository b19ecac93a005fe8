package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credential;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The CSRF token of a login: a hash of its credential's id, given to the dashboard's script with
 * the login (and by {@code /v1/whoami}), sent back in {@link ApiGuard#CSRF_HEADER} on writes. A
 * page of another origin can make the browser send the cookie, but cannot read this token nor set
 * the header without a CORS preflight the proxy never answers.
 */
public final class CsrfTokens {
  private CsrfTokens() {}

  public static String of(Credential credential) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("gatehouse csrf v1\0" + credential.id()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  static boolean matches(Credential credential, String token) {
    return MessageDigest.isEqual(
        of(credential).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.US_ASCII));
  }
}
