package io.gatehouse.config;

/**
 * A {@code host:port} pair, as used for listen and advertise addresses and Kafka bootstrap servers.
 * IPv6 literals are written in brackets, {@code [::1]:3024}.
 *
 * @param host a host name or IP literal (without brackets)
 * @param port 0 to 65535; 0 asks the operating system for a free port where that makes sense
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("missing host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException with the reason when the text is not of that form
   */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected host:port, got an empty value");
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0 || text.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "expected host:port (IPv6 literals in brackets), got '" + text + "'");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("missing host in '" + text + "'");
    }
    if (!host.matches("[A-Za-z0-9._:%-]+")) {
      throw new IllegalArgumentException("invalid host '" + host + "' in '" + text + "'");
    }
    if (!port.matches("[0-9]{1,5}")) {
      throw new IllegalArgumentException("invalid port '" + port + "' in '" + text + "'");
    }
    int p = Integer.parseInt(port);
    if (p > 65535) {
      throw new IllegalArgumentException(
          "port " + p + " is out of range 0-65535 in '" + text + "'");
    }
    return new HostPort(host, p);
  }

  /** True for {@code 0.0.0.0} and {@code ::}, which bind every interface but cannot be dialed. */
  public boolean isWildcard() {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
