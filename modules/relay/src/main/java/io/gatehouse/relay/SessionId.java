package io.gatehouse.relay;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The one session-id format of the wire ({@code Gatehouse-Session}, the proxy's session cookie):
 * 128 random bits from a {@link SecureRandom}, written as 32 lowercase hex digits. The proxy makes
 * them and the agent checks them with the same rule. They are bearer secrets (whoever holds a
 * cookie continues its session), so they never come from the routing randomness tests inject.
 */
public final class SessionId {
  private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{32}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private SessionId() {}

  /** A new, random session id. */
  public static String generate() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HEX.formatHex(bytes);
  }

  /** Whether {@code text} has the form of a session id (it may still be unknown). */
  public static boolean isValid(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }
}
