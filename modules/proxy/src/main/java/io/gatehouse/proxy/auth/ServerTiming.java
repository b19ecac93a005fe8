package io.gatehouse.proxy.auth;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One metric of a W3C {@code Server-Timing} response header ({@code name;dur=12.3}, milliseconds):
 * what browser devtools show beside a request's own timing. The login answer names the time its
 * password hash took, so an operator can tell a slow hash from a slow network or queue.
 */
public final class ServerTiming {
  /** The response header. */
  public static final String HEADER = "Server-Timing";

  private ServerTiming() {}

  /** {@code name;dur=<milliseconds, one decimal>} for {@code nanos}. */
  public static String of(String name, long nanos) {
    return String.format(Locale.ROOT, "%s;dur=%.1f", name, nanos / 1e6);
  }

  /**
   * The {@code dur} in milliseconds of metric {@code name} in a {@code Server-Timing} header value
   * (metrics separated by commas, parameters by semicolons, as the specification writes them);
   * empty when the header is missing or names no such metric with a duration.
   */
  public static OptionalDouble duration(String header, String name) {
    if (header == null) {
      return OptionalDouble.empty();
    }
    Pattern dur = Pattern.compile("(?i)^\\s*dur\\s*=\\s*\"?([0-9]+(?:\\.[0-9]+)?)\"?\\s*$");
    for (String metric : header.split(",")) {
      String[] parts = metric.split(";");
      if (!parts[0].strip().equals(name)) {
        continue;
      }
      for (int i = 1; i < parts.length; i++) {
        Matcher m = dur.matcher(parts[i]);
        if (m.matches()) {
          return OptionalDouble.of(Double.parseDouble(m.group(1)));
        }
      }
    }
    return OptionalDouble.empty();
  }
}
