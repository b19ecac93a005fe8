package io.gatehouse.proxy.auth;

import io.gatehouse.access.Access;
import io.gatehouse.access.Credential;
import java.util.Objects;

/**
 * An authenticated user on one request: who, what their roles allow right now, and the credential
 * they presented (for its expiry).
 */
public record Principal(String user, Access access, Credential credential) {
  public Principal {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(credential, "credential");
  }
}
