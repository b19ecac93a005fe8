package io.gatehouse.proxy.auth;

import io.gatehouse.access.Credentials;
import io.gatehouse.access.PasswordHasher;
import io.gatehouse.events.User;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Users made and credentials minted in the proxy's own process, for callers that are the operator
 * already: dev mode making its admin and writing the admin profile, and tests. Everyone else goes
 * through the API. Thread-safe.
 */
public final class Accounts {
  private final EventPublisher publisher;
  private final PasswordHasher hasher;
  private final Credentials credentials;
  private final UserDirectory directory;
  private final Clock clock;

  public Accounts(
      EventPublisher publisher,
      PasswordHasher hasher,
      Credentials credentials,
      UserDirectory directory,
      Clock clock) {
    this.publisher = publisher;
    this.hasher = hasher;
    this.credentials = credentials;
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * Writes user {@code name} with {@code roles} and, when not null, {@code password} (hashed here;
   * blocks for the hash), replacing one of that name; completes once Kafka has it.
   */
  public CompletionStage<User> put(String name, List<String> roles, char[] password, String by) {
    UserNames.check(name);
    Instant now = clock.instant();
    User before = directory.user(name).orElse(null);
    User user =
        User.newBuilder()
            .setName(name)
            .setRoles(roles)
            .setPasswordHash(password == null ? null : hasher.hash(password))
            .setOrigin("local")
            .setRevision(before == null ? 1 : before.getRevision() + 1)
            .setCreatedAt(before == null ? now : before.getCreatedAt())
            .setUpdatedAt(now)
            .setUpdatedBy(by)
            .build();
    return publisher.publish(Topic.USERS, name, user).thenApply(v -> user);
  }

  /** A credential for {@code user} lasting {@code ttl}, as a password login would give. */
  public String credential(String user, Duration ttl) {
    List<String> roles = directory.user(user).map(User::getRoles).orElse(List.of());
    return credentials.issue(user, roles, ttl, "password");
  }

  /**
   * A one-time login link's code for {@code user}, valid {@code ttl}: {@code GET
   * /v1/login/link?code=…} trades it, once per proxy, for a browser login. It is no credential
   * itself: the API and apps refuse it.
   */
  public String loginLinkCode(String user, Duration ttl) {
    return credentials.issue(user, List.of(), ttl, Authenticator.LINK_METHOD);
  }

  /** Whether this proxy has read user {@code name} (a credential for them is accepted here). */
  public boolean knows(String name) {
    return directory.user(name).isPresent();
  }
}
