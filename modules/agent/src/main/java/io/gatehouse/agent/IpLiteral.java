package io.gatehouse.agent;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP literals as the agent reads them in destinations and upstream hosts: strictly, with the JDK,
 * and never by a DNS lookup. Only the canonical forms count as addresses: IPv4 as four decimal
 * parts without leading zeros, IPv6 as the JDK parses it (a zone is accepted and ignored). Text
 * that some resolver might still read as an address ({@code 127.1}, {@code 0x7f000001}, {@code
 * 010.0.0.1}) is neither an address nor a host name: it is ambiguous.
 */
final class IpLiteral {
  private static final Pattern OCTET = Pattern.compile("25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9A-Fa-f]*");

  private IpLiteral() {}

  /** The address {@code host} is a literal of (brackets allowed for IPv6), or empty. */
  static Optional<InetAddress> parse(String host) {
    String h = unbracket(host);
    if (h.indexOf(':') >= 0) {
      if (!IPV6.matcher(h).matches()) {
        return Optional.empty();
      }
      int zone = h.indexOf('%');
      try {
        // Contains ':', so the JDK parses it as an IPv6 literal and never asks DNS.
        return Optional.of(InetAddress.getByName(zone < 0 ? h : h.substring(0, zone)));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!OCTET.matcher(parts[i]).matches()) {
        return Optional.empty();
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  /**
   * True for text that is not a canonical literal but that a resolver might read as an address:
   * anything with a colon, or whose last label is a number (no top-level domain is).
   */
  static boolean isAmbiguous(String host) {
    String h = unbracket(host);
    if (parse(h).isPresent()) {
      return false;
    }
    if (h.indexOf(':') >= 0) {
      return true;
    }
    String trimmed = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    String last = trimmed.substring(trimmed.lastIndexOf('.') + 1);
    return NUMERIC_LABEL.matcher(last).matches();
  }

  /** A host as compared: lower case, without brackets or a trailing dot. */
  static String normalize(String host) {
    String h = unbracket(host).toLowerCase(Locale.ROOT);
    return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
  }

  /**
   * The IPv4 address an IPv4-compatible IPv6 address ({@code ::a.b.c.d}, deprecated) embeds, so it
   * is judged like that address; {@code ::} and {@code ::1} embed none.
   */
  static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address v6) || !v6.isIPv4CompatibleAddress()) {
      return Optional.empty();
    }
    byte[] b = v6.getAddress();
    if (b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1)) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The text form of an address, without the JDK's leading slash. */
  static String text(InetAddress address) {
    return address.getHostAddress();
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
