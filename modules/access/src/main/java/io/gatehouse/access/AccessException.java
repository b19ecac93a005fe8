package io.gatehouse.access;

/**
 * Root of every failure raised by the access module. Messages name the thing (role, file, key id)
 * and never carry a secret: no password, hash, token or key material.
 */
public class AccessException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AccessException(String message) {
    super(message);
  }

  public AccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
