package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.ProxyException;

/** A request the proxy refuses before routing it, with the status and code the user gets. */
public final class IngressFailure extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public IngressFailure(int status, String code, String message) {
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
