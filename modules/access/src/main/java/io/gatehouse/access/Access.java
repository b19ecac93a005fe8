package io.gatehouse.access;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one user may open and call: their roles compiled once, asked on every new session and API
 * call. Immutable and thread-safe; build a new one when the user's roles change.
 *
 * <p>Semantics, the same for every resource kind: a deny selector of the kind that matches the
 * resource's labels refuses it, whatever allows it; otherwise an allow selector of the kind that
 * matches allows it; otherwise it is refused (nothing is allowed by default). API calls alike: a
 * deny rule covering the resource and verb refuses, else an allow rule must cover them.
 *
 * <p>Cost: selectors are indexed by their literal terms ({@link SelectorIndex}), so a decision
 * touches the candidates that share a label with the resource, not every selector the user holds.
 */
public final class Access {
  /**
   * A decision with the reason a person can read, e.g. {@code role dev denies app labels {team:
   * secret}} or {@code no role of alice allows db with labels {env: prod}}.
   */
  public record Decision(boolean allowed, String reason) {
    public Decision {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static final int KINDS = ResourceKind.values().length;

  private final String user;
  private final List<String> roles;
  private final SelectorIndex[] allow = new SelectorIndex[KINDS];
  private final SelectorIndex[] deny = new SelectorIndex[KINDS];
  private final Decision[][] api;

  private Access(String user, List<Role> held) {
    this.user = Objects.requireNonNull(user, "user");
    Set<String> names = new LinkedHashSet<>();
    held.forEach(r -> names.add(r.name()));
    this.roles = List.copyOf(names);
    for (ResourceKind kind : ResourceKind.values()) {
      allow[kind.ordinal()] = index(held, kind, true);
      deny[kind.ordinal()] = index(held, kind, false);
    }
    this.api = new Decision[ApiResource.values().length][Verb.values().length];
    for (ApiResource resource : ApiResource.values()) {
      for (Verb verb : Verb.values()) {
        api[resource.ordinal()][verb.ordinal()] = decideApi(held, resource, verb);
      }
    }
  }

  /** The grants of {@code user} holding {@code roles} (order ranks them in reasons only). */
  public static Access of(String user, Collection<Role> roles) {
    return new Access(user, List.copyOf(roles));
  }

  /** A user who may do nothing: unknown, locked, or holding no role. */
  public static Access none(String user) {
    return new Access(user, List.of());
  }

  public String user() {
    return user;
  }

  /** The names of the roles compiled in, as given, without repeats. */
  public List<String> roles() {
    return roles;
  }

  /** True when this user may open a resource of {@code kind} carrying {@code labels}. */
  public boolean mayOpen(ResourceKind kind, Map<String, String> labels) {
    return !deny[kind.ordinal()].any(labels) && allow[kind.ordinal()].any(labels);
  }

  /** Like {@link #mayOpen}, with the role and selector that decided it. */
  public Decision decideOpen(ResourceKind kind, Map<String, String> labels) {
    SelectorIndex.Entry denied = deny[kind.ordinal()].first(labels);
    if (denied != null) {
      return new Decision(
          false,
          "role "
              + denied.role()
              + " denies "
              + kind.word()
              + " labels "
              + format(denied.selector()));
    }
    SelectorIndex.Entry allowed = allow[kind.ordinal()].first(labels);
    if (allowed != null) {
      return new Decision(
          true,
          "role "
              + allowed.role()
              + " allows "
              + kind.word()
              + " labels "
              + format(allowed.selector()));
    }
    return new Decision(
        false,
        "no role of "
            + user
            + " allows "
            + kind.word()
            + " with labels "
            + format(new TreeMap<>(labels)));
  }

  /** True when this user may {@code verb} {@code resource} through the API. */
  public boolean may(ApiResource resource, Verb verb) {
    return api[resource.ordinal()][verb.ordinal()].allowed();
  }

  /** Like {@link #may}, with the role that decided it. */
  public Decision decide(ApiResource resource, Verb verb) {
    return api[resource.ordinal()][verb.ordinal()];
  }

  @Override
  public String toString() {
    return "Access[" + user + " " + roles + "]";
  }

  private static SelectorIndex index(List<Role> held, ResourceKind kind, boolean allowing) {
    List<SelectorIndex.Entry> entries = new ArrayList<>();
    for (Role role : held) {
      for (LabelSelector s : (allowing ? role.allow() : role.deny()).selectors(kind)) {
        entries.add(new SelectorIndex.Entry(entries.size(), role.name(), s));
      }
    }
    return entries.isEmpty() ? SelectorIndex.EMPTY : SelectorIndex.build(entries);
  }

  private Decision decideApi(List<Role> held, ApiResource resource, Verb verb) {
    String what = verb.word() + " on " + resource.word();
    for (Role role : held) {
      if (covers(role.deny(), resource, verb)) {
        return new Decision(false, "role " + role.name() + " denies " + what);
      }
    }
    for (Role role : held) {
      if (covers(role.allow(), resource, verb)) {
        return new Decision(true, "role " + role.name() + " allows " + what);
      }
    }
    return new Decision(false, "no role of " + user + " allows " + what);
  }

  private static boolean covers(RoleBlock block, ApiResource resource, Verb verb) {
    return block.rules().stream().anyMatch(r -> r.covers(resource, verb));
  }

  private static String format(LabelSelector selector) {
    return format(selector.expressions());
  }

  private static String format(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
