package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credentials;
import io.gatehouse.events.Lock;
import io.gatehouse.events.User;
import io.gatehouse.oidc.SsoIdentity;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The account behind a single sign-on: writes or refreshes the user the provider vouched for
 * ({@code origin: sso}, no password, the roles of the claims; audited as {@code user.create} or
 * {@code user.update} by {@code sso} when it changed), then issues its credential ({@code amr:
 * sso}). A provider's user never takes over a local user of the same name, and a locked user is
 * refused.
 */
final class SsoAccounts {
  private final UserDirectory directory;
  private final Credentials credentials;
  private final Duration credentialTtl;
  private final AuditLog audit;
  private final Clock clock;

  SsoAccounts(
      UserDirectory directory,
      Credentials credentials,
      Duration credentialTtl,
      AuditLog audit,
      Clock clock) {
    this.directory = directory;
    this.credentials = credentials;
    this.credentialTtl = credentialTtl;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * The credential of {@code identity}'s user, written through {@code writes}; a failed future with
   * a {@link Refusal} ({@code 403}) when the name is no Gatehouse name, locked or a local user's.
   */
  Future<String> admit(SsoIdentity identity, UserWrites writes, String remote) {
    String name = identity.username();
    try {
      UserNames.check(name);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(
          new Refusal(
              ErrorCode.ACCESS_DENIED,
              "the provider's user name is no Gatehouse user name: " + e.getMessage()));
    }
    Optional<Lock> lock = directory.lock(name);
    if (lock.isPresent()) {
      return Future.failedFuture(new Refusal(ErrorCode.ACCESS_DENIED, Locks.describe(lock.get())));
    }
    AtomicReference<Optional<User>> was = new AtomicReference<>();
    return writes
        .update(
            name,
            before -> {
              was.set(before);
              if (before.isPresent() && !SsoLogin.ORIGIN.equals(before.get().getOrigin())) {
                throw new Refusal(
                    ErrorCode.ACCESS_DENIED,
                    "user "
                        + name
                        + " is a local user: a single sign-on login cannot take that account"
                        + " over (an operator may remove or rename it)");
              }
              if (before.isPresent() && before.get().getRoles().equals(identity.roles())) {
                return before.get();
              }
              Instant now = clock.instant();
              return User.newBuilder()
                  .setName(name)
                  .setRoles(identity.roles())
                  .setPasswordHash(null)
                  .setOrigin(SsoLogin.ORIGIN)
                  .setRevision(before.map(u -> u.getRevision() + 1).orElse(1L))
                  .setCreatedAt(before.map(User::getCreatedAt).orElse(now))
                  .setUpdatedAt(now)
                  .setUpdatedBy(SsoLogin.METHOD)
                  .build();
            })
        .map(
            user -> {
              Optional<User> before = was.get();
              if (before.isEmpty() || before.get() != user) {
                audit.accountChanged(
                    before.isEmpty() ? AuditLog.USER_CREATE : AuditLog.USER_UPDATE,
                    "user/" + name,
                    SsoLogin.METHOD,
                    before.map(SsoAccounts::describe).orElse(null),
                    describe(user),
                    remote);
              }
              String token =
                  credentials.issue(name, user.getRoles(), credentialTtl, SsoLogin.METHOD);
              audit.login(name, SsoLogin.METHOD, "ok", null, remote);
              return token;
            });
  }

  private static String describe(User u) {
    return new JsonObject()
        .put("name", u.getName())
        .put("roles", new JsonArray(new ArrayList<>(u.getRoles())))
        .put("origin", u.getOrigin())
        .put("revision", u.getRevision())
        .encode();
  }
}
