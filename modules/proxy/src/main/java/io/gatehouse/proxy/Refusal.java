package io.gatehouse.proxy;

import io.gatehouse.relay.ErrorCode;

/**
 * A request the proxy refuses (unauthenticated, denied, malformed, over a limit), with the status
 * and {@code Gatehouse-Error} code the caller gets; the API, ingress and the auth doors all throw
 * it.
 */
public final class Refusal extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /** A refusal with one of the wire protocol's codes and its status. */
  public Refusal(ErrorCode code, String message) {
    this(code.status(), code.code(), message);
  }

  /**
   * A failure Vert.x reported with a bare HTTP status (e.g. a body over the limit): its code is the
   * one listed for that status, else {@code http-<status>}.
   */
  public static Refusal ofStatus(int status) {
    return status == ErrorCode.TOO_LARGE.status()
        ? new Refusal(ErrorCode.TOO_LARGE, "request failed with HTTP " + status)
        : new Refusal(status, "http-" + status, "request failed with HTTP " + status);
  }

  private Refusal(int status, String code, String message) {
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
