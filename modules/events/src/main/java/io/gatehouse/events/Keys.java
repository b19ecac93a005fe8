package io.gatehouse.events;

import java.nio.charset.StandardCharsets;

/**
 * Record keys of the topic contract. Names never contain {@code /}, so the trailing separator in
 * {@link #heartbeatPrefix} makes "all agents of {@code kind/name}" one exact prefix scan ({@code
 * app/demo/} never matches {@code app/demo2/...}).
 */
public final class Keys {
  public static final char SEPARATOR = '/';

  private Keys() {}

  /** {@code kind/name}: key of resources, and of audit events about a resource. */
  public static String resource(String kind, String name) {
    return kind + SEPARATOR + name;
  }

  /** {@code kind/name/agentId}: key of a heartbeat. */
  public static String heartbeat(String kind, String name, String agentId) {
    return kind + SEPARATOR + name + SEPARATOR + agentId;
  }

  /** {@code kind/name/}: prefix of every heartbeat of one resource. */
  public static String heartbeatPrefix(String kind, String name) {
    return kind + SEPARATOR + name + SEPARATOR;
  }

  /** {@code kind/}: prefix of every heartbeat or resource of one kind. */
  public static String kindPrefix(String kind) {
    return kind + SEPARATOR;
  }

  /** {@code <hash>}: key of a join token on {@code tokens}, the token's keyed hash. */
  public static String token(String hash) {
    return hash;
  }

  /**
   * {@code <hash>/use/<agentId>/<claimId>}: key of one claim of a use of a join token. Written to
   * the partition of {@link #token} so a token and its claims share one order.
   */
  public static String tokenUse(String hash, String agentId, String claimId) {
    return tokenUsePrefix(hash) + agentId + SEPARATOR + claimId;
  }

  /** {@code <hash>/use/}: prefix of every use claim of one join token. */
  public static String tokenUsePrefix(String hash) {
    return hash + SEPARATOR + "use" + SEPARATOR;
  }

  /** {@code agentId/proxyId}: key of an agent's presence on one proxy, on {@code tunnels}. */
  public static String tunnel(String agentId, String proxyId) {
    return agentId + SEPARATOR + proxyId;
  }

  public static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  public static String string(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** Splits a key into its {@code /}-separated parts, failing with the key in the message. */
  public static String[] split(String key, int expectedParts) {
    String[] parts = key.split(String.valueOf(SEPARATOR), -1);
    if (parts.length != expectedParts) {
      throw new EventException(
          "malformed key '" + key + "': expected " + expectedParts + " parts separated by '/'");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        throw new EventException("malformed key '" + key + "': empty part");
      }
    }
    return parts;
  }
}
