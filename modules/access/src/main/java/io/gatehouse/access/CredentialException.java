package io.gatehouse.access;

/**
 * A bearer credential was refused. The message is the short reason ({@link #EXPIRED}, {@link
 * #INVALID_SIGNATURE}, {@link #MALFORMED}, {@link #NOT_A_CREDENTIAL}, {@link #NOT_YET_VALID}), fit
 * for a 401 body and a log line; it never contains the token.
 */
public final class CredentialException extends AccessException {
  private static final long serialVersionUID = 1L;

  public static final String EXPIRED = "expired";
  public static final String INVALID_SIGNATURE = "invalid signature";
  public static final String MALFORMED = "malformed";
  public static final String NOT_A_CREDENTIAL = "not a credential";
  public static final String NOT_YET_VALID = "not yet valid";

  public CredentialException(String reason) {
    super(reason);
  }

  /** The short reason, the same as the message. */
  public String reason() {
    return getMessage();
  }
}
