package io.gatehouse.relay.tunnel;

/** A tunnel could not be opened or was refused; the message names the peer and the reason. */
public final class TunnelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TunnelException(String message) {
    super(message);
  }

  public TunnelException(String message, Throwable cause) {
    super(message, cause);
  }
}
