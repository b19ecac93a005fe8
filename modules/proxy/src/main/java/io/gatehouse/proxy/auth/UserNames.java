package io.gatehouse.proxy.auth;

import java.util.regex.Pattern;

/** The user name rule: 1–128 letters, digits, {@code .}, {@code _}, {@code -} and {@code @}. */
public final class UserNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

  private UserNames() {}

  /**
   * @throws IllegalArgumentException with the rule, when {@code name} breaks it
   */
  public static String check(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid user name '"
              + name
              + "': 1-128 letters, digits, '.', '_', '-' and '@' (e.g. alice or alice@example.com)");
    }
    return name;
  }
}
