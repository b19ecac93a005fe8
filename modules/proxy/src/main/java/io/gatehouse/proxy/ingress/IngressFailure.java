package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.ProxyException;
import io.gatehouse.relay.ErrorCode;

/** A request the proxy refuses before routing it, with the status and code the user gets. */
public final class IngressFailure extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /** A refusal with one of the wire protocol's codes and its status. */
  public IngressFailure(ErrorCode code, String message) {
    this(code.status(), code.code(), message);
  }

  /**
   * A failure Vert.x reported with a bare HTTP status (e.g. a body over the limit): its code is the
   * one listed for that status, else {@code http-<status>}.
   */
  public static IngressFailure ofStatus(int status) {
    return status == ErrorCode.TOO_LARGE.status()
        ? new IngressFailure(ErrorCode.TOO_LARGE, "request failed with HTTP " + status)
        : new IngressFailure(status, "http-" + status, "request failed with HTTP " + status);
  }

  private IngressFailure(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
