package io.gatehouse.relay.tunnel;

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

  TunnelException(String message, Throwable cause, String code) {
    super(message, cause);
    this.code = code;
  }

  /** The proxy's error code when it refused the upgrade ({@code lane-refused}, say), else null. */
  public String code() {
    return code;
  }
}
