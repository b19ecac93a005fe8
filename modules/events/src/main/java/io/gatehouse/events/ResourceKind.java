package io.gatehouse.events;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The four kinds of resource an agent can serve, with the word used in keys, URLs and YAML. */
public enum ResourceKind {
  APP("app", "apps", false),
  DB("db", "dbs", true),
  DESKTOP("desktop", "desktops", true),
  KUBE("kube", "kube", false);

  private final String word;
  private final String plural;
  private final boolean tcp;

  ResourceKind(String word, String plural, boolean tcp) {
    this.word = word;
    this.plural = plural;
    this.tcp = tcp;
  }

  /** The singular word used on topics and in {@code kind/name} keys, e.g. {@code db}. */
  public String word() {
    return word;
  }

  /** The plural used by the CLI, e.g. {@code dbs}. */
  public String plural() {
    return plural;
  }

  /** True when sessions of this kind are byte streams rather than HTTP requests. */
  public boolean isTcp() {
    return tcp;
  }

  /** Parses a singular or plural word, case-insensitively. */
  public static Optional<ResourceKind> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(k -> k.word.equals(t) || k.plural.equals(t)).findFirst();
  }

  /** Like {@link #parse} but fails with a message listing the valid words. */
  public static ResourceKind of(String text) {
    return parse(text)
        .orElseThrow(
            () ->
                new EventException(
                    "unknown resource kind '" + text + "' (expected app, db, desktop or kube)"));
  }

  @Override
  public String toString() {
    return word;
  }
}
