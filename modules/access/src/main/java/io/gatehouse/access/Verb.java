package io.gatehouse.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a caller does to an {@link ApiResource}, as written in a role's {@code rules}. */
public enum Verb {
  LIST,
  READ,
  CREATE,
  UPDATE,
  DELETE;

  private final String word = name().toLowerCase(Locale.ROOT);

  /** The word written in role documents, e.g. {@code list}. */
  public String word() {
    return word;
  }

  /** The verb for {@code text}, case-insensitively; empty for anything else (and for {@code *}). */
  public static Optional<Verb> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(v -> v.word.equals(t)).findFirst();
  }

  @Override
  public String toString() {
    return word;
  }
}
