package io.gatehouse.config;

import java.util.regex.Pattern;

/**
 * The name of a zone (a failure domain: an availability zone, a data centre, a rack) as agents and
 * proxies name theirs: 1 to 63 letters, digits, {@code -}, {@code _} and {@code .}, starting and
 * ending with a letter or digit, as a Kubernetes label value (so {@code eu-west-1a} and a node's
 * {@code topology.kubernetes.io/zone} fit). Compared exactly: {@code EU-1} is not {@code eu-1}.
 */
public final class ZoneName {
  public static final Pattern PATTERN =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

  private ZoneName() {}

  public static boolean isValid(String zone) {
    return zone != null && PATTERN.matcher(zone).matches();
  }

  /** Returns {@code zone} if valid, else throws {@link IllegalArgumentException} with the rule. */
  public static String check(String zone) {
    if (!isValid(zone)) {
      throw new IllegalArgumentException(
          "invalid zone '"
              + zone
              + "': use 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a"
              + " letter or digit (e.g. eu-west-1a)");
    }
    return zone;
  }
}
