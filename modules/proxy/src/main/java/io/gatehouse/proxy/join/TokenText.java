package io.gatehouse.proxy.join;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The bearer text of a join token: {@value #PREFIX} and 64 lower-case hex digits (32 random bytes,
 * 256 bits). The prefix lets secret scanners and people recognise one; the text is never stored,
 * only its keyed hash.
 */
final class TokenText {
  static final String PREFIX = "gh-join-";
  private static final Pattern FORMAT = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{64}");

  private TokenText() {}

  static String generate(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + HexFormat.of().formatHex(bytes);
  }

  /** Whether {@code text} could be a token at all; anything else is refused without hashing. */
  static boolean looksLikeToken(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }
}
