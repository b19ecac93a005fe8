package io.gatehouse.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What the API manages, as written in a role's {@code rules}. */
public enum ApiResource {
  RESOURCES,
  USERS,
  ROLES,
  TOKENS,
  LOCKS,
  SESSIONS,
  AUDIT,
  AGENTS,
  /** The proxy's Prometheus metrics ({@code read}). */
  METRICS;

  private final String word = name().toLowerCase(Locale.ROOT);

  /** The word written in role documents, e.g. {@code resources}. */
  public String word() {
    return word;
  }

  /** The resource for {@code text}, case-insensitively; empty for anything else (and {@code *}). */
  public static Optional<ApiResource> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.word.equals(t)).findFirst();
  }

  @Override
  public String toString() {
    return word;
  }
}
