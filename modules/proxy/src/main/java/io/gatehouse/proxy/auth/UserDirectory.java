package io.gatehouse.proxy.auth;

import io.gatehouse.access.Access;
import io.gatehouse.access.Role;
import io.gatehouse.events.Lock;
import io.gatehouse.events.User;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;

/**
 * Who may log in and what each user may do, as every proxy sees it: the users of {@code
 * gatehouse.users}, the roles of {@code gatehouse.roles} (and the built-in {@code admin}), and the
 * user locks of {@code gatehouse.locks}, all held in memory. {@link #access} compiles a user's
 * roles once and keeps the result until a user, role or lock changes; listeners hear of every user
 * whose access may have changed, so open sessions can be re-checked at once. Thread-safe.
 */
public final class UserDirectory implements AutoCloseable {
  private final TableMap<User> users;
  private final TableMap<Role> roles;
  private final Locks locks;
  private final Map<String, Access> compiled = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public UserDirectory(StateStore store, Flux<StateChange> changes, Locks locks) {
    this.locks = locks;
    this.users = TableMap.open(store, Topic.USERS, changes, (k, v) -> EventCodec.USER.decode(v));
    this.roles =
        TableMap.open(
            store,
            Topic.ROLES,
            changes,
            (k, v) -> Role.fromAvro(EventCodec.ROLE_DEFINITION.decode(v)));
    users.onChange(
        name -> {
          compiled.remove(name);
          changed(name);
        });
    roles.onChange(
        role -> {
          compiled.clear();
          // Everyone holding the role may have lost (or gained) something.
          for (User u : users.all().values()) {
            if (u.getRoles().contains(role)) {
              changed(u.getName());
            }
          }
        });
    locks.onLock(
        lock -> {
          if (lock.getTarget().startsWith(Locks.USER)) {
            changed(lock.getTarget().substring(Locks.USER.length()));
          }
        });
  }

  public Optional<User> user(String name) {
    return users.get(name);
  }

  /** Every user, by name. */
  public List<User> users() {
    List<User> all = new ArrayList<>(users.all().values());
    all.sort(Comparator.comparing(User::getName));
    return all;
  }

  /** A stored role, or the built-in one of that name. */
  public Optional<Role> role(String name) {
    Optional<Role> builtIn = Role.builtIn(name);
    return builtIn.isPresent() ? builtIn : roles.get(name);
  }

  /** Every role, built-in first, then by name. */
  public List<Role> roles() {
    List<Role> all = new ArrayList<>(List.of(Role.ADMIN));
    roles.all().values().stream().sorted(Comparator.comparing(Role::name)).forEach(all::add);
    return all;
  }

  /** The lock on user {@code name}, if one stands. */
  public Optional<Lock> lock(String name) {
    return locks.user(name);
  }

  /** The lock on the credential of id {@code credentialId} (its logout), if one stands. */
  public Optional<Lock> revocation(String credentialId) {
    return locks.credential(credentialId);
  }

  /**
   * What {@code name} may do now: empty when no such user exists. Roles the user names that do not
   * exist (yet) grant nothing.
   */
  public Optional<Access> access(String name) {
    Optional<User> user = users.get(name);
    if (user.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        compiled.computeIfAbsent(
            name,
            n ->
                Access.of(
                    n,
                    user.get().getRoles().stream()
                        .map(this::role)
                        .flatMap(Optional::stream)
                        .toList())));
  }

  /**
   * Runs {@code listener} with the name of every user whose access may have changed from now on:
   * the user was changed or removed, one of their roles changed, or they were locked.
   */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  private void changed(String user) {
    listeners.forEach(l -> l.accept(user));
  }

  @Override
  public void close() {
    users.close();
    roles.close();
  }
}
