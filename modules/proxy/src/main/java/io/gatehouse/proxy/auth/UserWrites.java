package io.gatehouse.proxy.auth;

import io.gatehouse.events.User;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where logins that make their own user (single sign-on) write it: one write per user name at a
 * time, in line with the API's writes of users, answered once this proxy's state shows it (read
 * your writes), so a credential issued after it is accepted at once.
 */
@FunctionalInterface
public interface UserWrites {
  /**
   * Runs {@code change} on the user as it stands now, after every earlier write of that name, and
   * writes what it returns; returning the very user it was given writes nothing.
   *
   * @param change may throw a {@link io.gatehouse.proxy.Refusal}, which fails the future
   * @return the user as written (or as it stood)
   */
  Future<User> update(String name, Function<Optional<User>, User> change);
}
