package io.gatehouse.agent.internal.relay;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where and how the agent reaches a resource, derived once from its kind and URI.
 *
 * @param transport HTTP (reverse proxy) or TCP (byte stream)
 * @param host upstream host
 * @param port upstream port
 * @param tls whether to speak TLS to the upstream (https)
 * @param basePath path prefix of an HTTP upstream, without trailing slash; empty for none
 */
public record Upstream(Transport transport, String host, int port, boolean tls, String basePath) {

  /** How sessions of a resource are relayed. */
  public enum Transport {
    HTTP,
    TCP
  }

  /**
   * Derives the upstream of a resource: {@code app} takes {@code http://}, {@code https://} or
   * {@code tcp://host:port}; {@code kube} takes {@code http(s)://}; {@code db} and {@code desktop}
   * take {@code host:port}, {@code tcp://host:port} or {@code <protocol>://host:port}.
   *
   * @throws IllegalArgumentException with the reason when the URI does not fit the kind
   */
  public static Upstream of(ResourceKind kind, String uri) {
    String text = uri == null ? "" : uri.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("missing URI");
    }
    return switch (kind) {
      case APP -> web(text, true);
      case KUBE -> web(text, false);
      case DB, DESKTOP -> stream(text);
    };
  }

  private static Upstream web(String text, boolean allowTcp) {
    URI u = parse(text);
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (allowTcp && scheme.equals("tcp")) {
      return stream(text);
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "invalid URI '"
              + text
              + "': expected "
              + (allowTcp ? "http://, https:// or tcp://host:port" : "http:// or https://"));
    }
    requireHost(u, text);
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "invalid URI '" + text + "': a query or fragment is not allowed");
    }
    boolean tls = scheme.equals("https");
    int port = u.getPort() == -1 ? (tls ? 443 : 80) : checkPort(u.getPort(), text);
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new Upstream(Transport.HTTP, unbracket(u.getHost()), port, tls, path);
  }

  private static Upstream stream(String text) {
    if (!text.contains("://")) {
      HostPort hp;
      try {
        hp = HostPort.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid address '" + text + "': expected host:port or tcp://host:port");
      }
      return new Upstream(Transport.TCP, hp.host(), checkPort(hp.port(), text), false, "");
    }
    URI u = parse(text);
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      throw new IllegalArgumentException(
          "invalid URI '"
              + text
              + "': this kind is relayed as a TCP stream; use host:port or tcp://host:port");
    }
    requireHost(u, text);
    if (u.getPort() == -1) {
      throw new IllegalArgumentException("invalid URI '" + text + "': missing port");
    }
    String path = u.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || u.getRawQuery() != null) {
      throw new IllegalArgumentException(
          "invalid URI '" + text + "': a TCP address has no path or query");
    }
    return new Upstream(
        Transport.TCP, unbracket(u.getHost()), checkPort(u.getPort(), text), false, "");
  }

  private static URI parse(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URI '" + text + "': " + e.getReason());
    }
  }

  private static void requireHost(URI u, String text) {
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException("invalid URI '" + text + "': missing host");
    }
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int checkPort(int port, String text) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid URI '" + text + "': port must be 1-65535");
    }
    return port;
  }

  /** {@code host:port} with brackets for IPv6, for the upstream {@code Host} header. */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    boolean defaultPort = (tls && port == 443) || (!tls && port == 80);
    return transport == Transport.HTTP && defaultPort ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return transport == Transport.HTTP
        ? (tls ? "https://" : "http://") + authority() + basePath
        : "tcp://" + host + ":" + port;
  }
}
