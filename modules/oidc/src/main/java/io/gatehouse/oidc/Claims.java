package io.gatehouse.oidc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading claims as JSON gives them: strings, numbers, booleans, lists and nested maps. */
final class Claims {
  private Claims() {}

  /**
   * A deep, immutable copy: nested maps and lists are copied too, dates become {@link Instant}s,
   * and claims whose value is JSON {@code null} are left out (a null claim is an absent one).
   */
  static Map<String, Object> freeze(Map<String, ?> claims) {
    Map<String, Object> out = new LinkedHashMap<>();
    claims.forEach(
        (name, value) -> {
          if (name != null && value != null) {
            out.put(name, freezeValue(value));
          }
        });
    return Collections.unmodifiableMap(out);
  }

  private static Object freezeValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              copy.put(String.valueOf(k), freezeValue(v));
            }
          });
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        if (item != null) {
          copy.add(freezeValue(item));
        }
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Date date) {
      return date.toInstant();
    }
    return value;
  }

  /**
   * The claim named {@code name}; when there is none and the name has dots, the path through nested
   * maps ({@code realm_access.roles} in Keycloak's tokens).
   */
  static Optional<Object> find(Map<String, Object> claims, String name) {
    Object direct = claims.get(name);
    if (direct != null || !name.contains(".")) {
      return Optional.ofNullable(direct);
    }
    Object current = claims;
    for (String part : name.split("\\.", -1)) {
      if (!(current instanceof Map<?, ?> map)) {
        return Optional.empty();
      }
      current = map.get(part);
    }
    return Optional.ofNullable(current);
  }

  /** A claim as text when it is a non-blank string. */
  static Optional<String> text(Map<String, Object> claims, String name) {
    return find(claims, name)
        .filter(String.class::isInstance)
        .map(String.class::cast)
        .filter(s -> !s.isBlank());
  }

  /**
   * The values of a claim that holds a string or a list of strings; other values (numbers, maps,
   * the non-strings of a list) are not names and count as none.
   */
  static List<String> strings(Map<String, Object> claims, String name) {
    Object value = find(claims, name).orElse(null);
    if (value instanceof String s) {
      return List.of(s);
    }
    if (value instanceof List<?> list) {
      return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }
}
