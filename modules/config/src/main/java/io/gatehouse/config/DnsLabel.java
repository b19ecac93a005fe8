package io.gatehouse.config;

import java.util.regex.Pattern;

/**
 * Names in the style of a DNS label (RFC 1123): 1 to 63 lowercase letters, digits and {@code -},
 * starting and ending with a letter or digit. Resource names use it so that they fit in a host name
 * ({@code <app>.<public host>}) and a record key without escaping.
 */
public final class DnsLabel {
  public static final Pattern PATTERN = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private DnsLabel() {}

  public static boolean isValid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }

  /** Returns {@code name} if valid, else throws {@link IllegalArgumentException} with the rule. */
  public static String check(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "invalid name '"
              + name
              + "': use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    }
    return name;
  }
}
