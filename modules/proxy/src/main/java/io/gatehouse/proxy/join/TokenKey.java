package io.gatehouse.proxy.join;

import io.gatehouse.events.Keys;

/**
 * A key of the {@code tokens} topic, parsed: {@code <hash>} for a token, {@code
 * <hash>/use/<agentId>/<claimId>} for a claim of one of its uses ({@code agentId} and {@code
 * claimId} null for a token).
 */
record TokenKey(String hash, String agentId, String claimId) {
  boolean isUse() {
    return agentId != null;
  }

  /** The key as written on the topic. */
  String text() {
    return isUse() ? Keys.tokenUse(hash, agentId, claimId) : Keys.token(hash);
  }

  /**
   * @throws IllegalArgumentException for a key of neither shape
   */
  static TokenKey parse(String key) {
    String[] parts = key.split(String.valueOf(Keys.SEPARATOR), -1);
    if (parts.length == 1 && !parts[0].isEmpty()) {
      return new TokenKey(parts[0], null, null);
    }
    if (parts.length == 4
        && parts[1].equals("use")
        && !parts[0].isEmpty()
        && !parts[2].isEmpty()
        && !parts[3].isEmpty()) {
      return new TokenKey(parts[0], parts[2], parts[3]);
    }
    throw new IllegalArgumentException(
        "malformed tokens key '" + key + "': expected <hash> or <hash>/use/<agentId>/<claimId>");
  }
}
