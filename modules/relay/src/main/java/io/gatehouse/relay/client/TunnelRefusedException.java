package io.gatehouse.relay.client;

import io.gatehouse.relay.ErrorCode;
import java.io.IOException;
import java.util.Optional;

/** The proxy answered a tunnel request with an error instead of switching protocols. */
public final class TunnelRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public TunnelRefusedException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /**
   * The HTTP status, e.g. 404 (unknown resource), 503 (no healthy agent), 502 (every agent failed).
   */
  public int status() {
    return status;
  }

  /** The {@code Gatehouse-Error} code, or {@code null}. */
  public String code() {
    return code;
  }

  /** The {@code Gatehouse-Error} code as the wire protocol knows it; empty if none or unknown. */
  public Optional<ErrorCode> errorCode() {
    return ErrorCode.parse(code);
  }
}
