package io.gatehouse.proxy.ingress;

import java.util.List;

/**
 * The hops a request's {@code Via} headers name (RFC 9110, section 7.6.3): each entry is {@code
 * [protocol/]version received-by [comment]}, entries separated by commas, in any number of headers.
 * This proxy adds {@code 1.1 <proxy id>} to what it relays, so a request that names it has come
 * round: an app or tunnel whose upstream leads back to a proxy of its own path.
 */
final class ViaChain {
  private ViaChain() {}

  /** Whether an entry of {@code values} was received by {@code hop} (case-insensitive). */
  static boolean names(List<String> values, String hop) {
    for (String value : values) {
      for (String entry : value.split(",")) {
        String[] words = entry.strip().split("\\s+", 3);
        if (words.length >= 2 && words[1].equalsIgnoreCase(hop)) {
          return true;
        }
      }
    }
    return false;
  }
}
