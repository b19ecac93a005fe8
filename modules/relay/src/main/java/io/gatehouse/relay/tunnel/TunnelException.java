package io.gatehouse.relay.tunnel;

import io.gatehouse.relay.ErrorCode;

/** A tunnel could not be opened or was refused; the message names the peer and the reason. */
public final class TunnelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The proxy's {@code Gatehouse-Error} code when it refused the upgrade, else null. */
  private final String code;

  public TunnelException(String message) {
    this(message, null, null);
  }

  public TunnelException(String message, Throwable cause) {
    this(message, cause, null);
  }

  public TunnelException(String message, Throwable cause, String code) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The proxy's error code when it refused the upgrade ({@code lane-refused}, say), or {@code
   * overloaded} when it was too busy to take the handshake; else null.
   */
  public String code() {
    return code;
  }

  /**
   * Whether the proxy said it is too busy ({@code overloaded}: it refused the TLS handshake at its
   * start, or answered the upgrade so): dial it again later than after other failures.
   */
  public boolean busy() {
    return ErrorCode.OVERLOADED.code().equals(code);
  }
}
