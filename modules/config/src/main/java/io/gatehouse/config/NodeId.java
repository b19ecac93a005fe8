package io.gatehouse.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The id of an agent or a proxy, as written in heartbeats, pins, audit events and client ids: 1 to
 * 128 letters, digits, {@code .}, {@code _} or {@code -}, so it fits a record key and a Kafka
 * client id without escaping. One rule and one default for both roles.
 */
public final class NodeId {
  public static final int MAX_LENGTH = 128;
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");

  private NodeId() {}

  /**
   * Returns {@code id} if valid, else throws {@link IllegalArgumentException} with the rule.
   *
   * @param role what the id names, e.g. {@code agent} or {@code proxy}
   */
  public static String check(String role, String id) {
    if (id == null || !PATTERN.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "invalid "
              + role
              + " id '"
              + id
              + "': use 1 to "
              + MAX_LENGTH
              + " letters, digits, '.', '_' or '-'");
    }
    return id;
  }

  /**
   * The id of a node that was given none: this host's name and six random hex digits, e.g. {@code
   * web-1-3fa9c2}, so that two processes on one host differ and a restart is a new node.
   */
  public static String generate(RandomGenerator random) {
    String host = hostName().replaceAll("[^A-Za-z0-9._-]", "-");
    if (host.length() > 100) {
      host = host.substring(0, 100);
    }
    return host + "-" + String.format("%06x", random.nextInt(1 << 24));
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }
}
