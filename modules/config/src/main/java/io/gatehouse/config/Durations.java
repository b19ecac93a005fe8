package io.gatehouse.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: a number and a unit, {@code ms}, {@code s}, {@code m}, {@code
 * h} or {@code d}, optionally several in a row ({@code 1m30s}). A bare number is refused, because a
 * reader cannot tell whether it meant seconds or milliseconds.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code 500ms}, {@code 1s}, {@code 3m}, {@code 1h}, {@code 2d}, {@code 1m30s}.
   *
   * @throws IllegalArgumentException with the accepted forms when the text is not a duration
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.strip();
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException(
          "invalid duration '"
              + text
              + "': use a number and a unit (ms, s, m, h, d), e.g. 500ms, 1s, 3m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
    return total;
  }

  /**
   * The shortest text {@link #parse} reads back as {@code d}, e.g. {@code 1m30s}, {@code 250ms}.
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      long n = ms / sizes[i];
      if (n > 0) {
        out.append(n).append(units[i]);
        ms -= n * sizes[i];
      }
    }
    return out.toString();
  }
}
