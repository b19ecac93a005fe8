package io.gatehouse.access;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One API rule of a role: every verb of {@code verbs} on every resource of {@code resources}. A
 * document's {@code *} is expanded when parsed, so the sets hold exactly what the rule covers.
 */
public record RoleRule(Set<ApiResource> resources, Set<Verb> verbs) {
  /** Every verb on every resource: the built-in admin's rule. */
  public static final RoleRule EVERYTHING =
      new RoleRule(EnumSet.allOf(ApiResource.class), EnumSet.allOf(Verb.class));

  public RoleRule {
    resources = Collections.unmodifiableSet(copy(resources, ApiResource.class));
    verbs = Collections.unmodifiableSet(copy(verbs, Verb.class));
  }

  /** True when this rule covers {@code verb} on {@code resource}. */
  public boolean covers(ApiResource resource, Verb verb) {
    return resources.contains(resource) && verbs.contains(verb);
  }

  private static <E extends Enum<E>> EnumSet<E> copy(Collection<E> values, Class<E> type) {
    EnumSet<E> out = EnumSet.noneOf(type);
    out.addAll(values);
    return out;
  }
}
