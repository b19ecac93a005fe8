package io.gatehouse.pki;

/** Trust material that cannot be created, read or used; the message names the file or subject. */
public class PkiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
