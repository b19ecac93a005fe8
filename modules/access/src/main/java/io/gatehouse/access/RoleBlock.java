package io.gatehouse.access;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code allow} or {@code deny} block of a role: label selectors per resource kind (several are
 * OR'ed) and API rules. Immutable; kinds without selectors are left out of {@link #labels}.
 */
public record RoleBlock(Map<ResourceKind, List<LabelSelector>> labels, List<RoleRule> rules) {
  /** A block that selects nothing and covers no API call. */
  public static final RoleBlock EMPTY = new RoleBlock(Map.of(), List.of());

  public RoleBlock {
    EnumMap<ResourceKind, List<LabelSelector>> copy = new EnumMap<>(ResourceKind.class);
    labels.forEach(
        (kind, selectors) -> {
          if (!selectors.isEmpty()) {
            copy.put(kind, List.copyOf(selectors));
          }
        });
    labels = Collections.unmodifiableMap(copy);
    rules = List.copyOf(rules);
  }

  /** The selectors for {@code kind}, possibly none. */
  public List<LabelSelector> selectors(ResourceKind kind) {
    return labels.getOrDefault(kind, List.of());
  }

  /** True when this block selects nothing and has no rule. */
  public boolean isEmpty() {
    return labels.isEmpty() && rules.isEmpty();
  }
}
