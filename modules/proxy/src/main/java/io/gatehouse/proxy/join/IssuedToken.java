package io.gatehouse.proxy.join;

import java.util.Objects;

/**
 * A token just issued: the bearer text, shown to the operator once and stored nowhere, and what
 * {@code tokens ls} will show of it. {@link #toString} leaves the token out.
 */
public record IssuedToken(String token, JoinToken info) {
  public IssuedToken {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(info, "info");
  }

  @Override
  public String toString() {
    return "IssuedToken[" + info.id() + ", token redacted]";
  }
}
