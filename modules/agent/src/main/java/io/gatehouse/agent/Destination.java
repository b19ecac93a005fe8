package io.gatehouse.agent;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of a watcher's {@code destinations}: where dynamic resources matched by that watcher
 * may point. Immutable; parsed once from the file, without any DNS lookup.
 *
 * <ul>
 *   <li>a CIDR or a single address, IPv4 or IPv6, with an optional port: {@code 10.0.0.0/8}, {@code
 *       127.0.0.1:3090}, {@code fd00::/8}, {@code [::1]:8080}, {@code [fd00::/8]:443};
 *   <li>a host name, or {@code *.suffix} for any name below {@code suffix} (not {@code suffix}
 *       itself), with an optional port: {@code db.internal:5432}, {@code *.corp.example.com};
 *   <li>{@code :port} alone: any host on that port.
 * </ul>
 *
 * A name entry matches names only and a CIDR entry addresses only: a name is never resolved to see
 * whether it falls in a CIDR. Names compare case-insensitively, without a trailing dot.
 */
public final class Destination {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

  /** What an entry names. */
  public enum Form {
    /** An IP network ({@code 10.0.0.0/8}) or address ({@code 127.0.0.1}, a /32). */
    NETWORK,
    /** One host name. */
    HOST,
    /** Every host name below a suffix ({@code *.corp.example.com}). */
    SUFFIX,
    /** Any host ({@code :443}). */
    ANY_HOST
  }

  private final String text;
  private final Form form;
  private final Cidr network;
  private final String host;
  private final int port;

  private Destination(String text, Form form, Cidr network, String host, int port) {
    this.text = text;
    this.form = form;
    this.network = network;
    this.host = host;
    this.port = port;
  }

  /**
   * Parses an entry.
   *
   * @throws IllegalArgumentException with a reason that quotes {@code text}, e.g. {@code
   *     '10.0.0.0/33' is not a CIDR: the prefix length must be 0-32 for IPv4, got '33'}
   */
  public static Destination parse(String text) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException(
          "an empty destination; write a CIDR, a host name, *.suffix or :port");
    }
    if (t.startsWith(":") && t.indexOf(':', 1) < 0) {
      return new Destination(t, Form.ANY_HOST, null, null, port(t, t.substring(1)));
    }
    String hostPart;
    int port = 0;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + t + "' has '[' without ']'");
      }
      hostPart = t.substring(1, close);
      String rest = t.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException(
              "'" + t + "': expected ':port' after ']', got '" + rest + "'");
        }
        port = port(t, rest.substring(1));
      }
      return new Destination(t, Form.NETWORK, Cidr.parse(hostPart), null, port);
    }
    int colon = t.indexOf(':');
    if (colon >= 0 && t.indexOf(':', colon + 1) >= 0) {
      // Several colons and no brackets: an IPv6 address or network, without a port.
      return new Destination(t, Form.NETWORK, Cidr.parse(t), null, 0);
    }
    hostPart = colon < 0 ? t : t.substring(0, colon);
    if (colon >= 0) {
      port = port(t, t.substring(colon + 1));
    }
    if (hostPart.contains("/") || IpLiteral.parse(hostPart).isPresent()) {
      return new Destination(t, Form.NETWORK, Cidr.parse(hostPart), null, port);
    }
    if (IpLiteral.isAmbiguous(hostPart)) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "' is neither a CIDR nor a host name: write IPv4 addresses as four decimal parts"
              + " without leading zeros");
    }
    String name = IpLiteral.normalize(hostPart);
    if (name.startsWith("*.")) {
      checkName(t, name.substring(2));
      return new Destination(t, Form.SUFFIX, null, name.substring(1), port);
    }
    if (name.contains("*")) {
      throw new IllegalArgumentException(
          "'" + t + "': a host glob is written *.suffix (for any host on a port, write :port)");
    }
    checkName(t, name);
    return new Destination(t, Form.HOST, null, name, port);
  }

  private static void checkName(String text, String name) {
    if (name.length() > 253) {
      throw new IllegalArgumentException("'" + text + "': a host name has at most 253 characters");
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' is not a CIDR or a host name: '"
                + label
                + "' is not a DNS label (letters, digits, '-', at most 63 characters)");
      }
    }
  }

  private static int port(String text, String port) {
    if (!port.matches("[0-9]{1,5}")
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException(
          "'" + text + "': the port must be 1-65535, got '" + port + "'");
    }
    return Integer.parseInt(port);
  }

  /** The entry as written. */
  public String text() {
    return text;
  }

  /** What the entry names. */
  public Form form() {
    return form;
  }

  /** The entry's port; empty for any port. */
  public Optional<Integer> port() {
    return port == 0 ? Optional.empty() : Optional.of(port);
  }

  /** True when this entry allows the host name {@code name} (normalized) on {@code port}. */
  boolean allowsName(String name, int port) {
    if (!portMatches(port)) {
      return false;
    }
    return switch (form) {
      case HOST -> host.equals(name);
      case SUFFIX -> name.endsWith(host) && name.length() > host.length();
      case ANY_HOST -> true;
      case NETWORK -> false;
    };
  }

  /** True when this entry names exactly the host name {@code name} (normalized) on {@code port}. */
  boolean namesExactly(String name, int port) {
    return form == Form.HOST && host.equals(name) && portMatches(port);
  }

  /** True when this entry allows the address {@code address} on {@code port}. */
  boolean allowsAddress(InetAddress address, int port) {
    if (!portMatches(port)) {
      return false;
    }
    return switch (form) {
      case NETWORK -> network.contains(address);
      case ANY_HOST -> true;
      case HOST, SUFFIX -> false;
    };
  }

  /**
   * True when this entry is a network inside {@code range} that contains {@code address}, on {@code
   * port}: it names part of a range refused by default, so it opens that part.
   */
  boolean opens(Cidr range, InetAddress address, int port) {
    return form == Form.NETWORK
        && network.within(range)
        && network.contains(address)
        && portMatches(port);
  }

  /** True when this entry is a network inside {@code range}, on {@code port}. */
  boolean opensPartOf(Cidr range, int port) {
    return form == Form.NETWORK && network.within(range) && portMatches(port);
  }

  private boolean portMatches(int candidate) {
    return port == 0 || port == candidate;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Destination d
        && form == d.form
        && port == d.port
        && Objects.equals(network, d.network)
        && Objects.equals(host, d.host);
  }

  @Override
  public int hashCode() {
    return Objects.hash(form, network, host, port);
  }

  @Override
  public String toString() {
    return text;
  }
}
