package io.gatehouse.oidc;

/**
 * A single sign-on step failed: the provider could not be reached or discovered, refused the code,
 * or sent an ID token that does not pass the checks. The message says what failed, in words an
 * operator or user can act on; it never quotes a code, token, client secret, nonce or PKCE
 * verifier. Root of every failure raised by this module.
 */
public class OidcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OidcException(String message) {
    super(message);
  }

  public OidcException(String message, Throwable cause) {
    super(message, cause);
  }
}
