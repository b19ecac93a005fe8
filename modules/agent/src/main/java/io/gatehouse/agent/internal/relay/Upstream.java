package io.gatehouse.agent.internal.relay;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.ResourceRules;
import java.net.URI;
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
   * Derives the upstream of a resource from a URI that {@link ResourceRules#checkUri} accepts for
   * its kind: {@code http(s)://} is relayed as HTTP, everything else as a TCP stream.
   *
   * @throws IllegalArgumentException with the rule's reason when the URI does not fit the kind
   */
  public static Upstream of(ResourceKind kind, String uri) {
    String text = ResourceRules.checkUri(kind, uri);
    if (!text.contains("://")) {
      HostPort address = HostPort.parse(text);
      return new Upstream(Transport.TCP, address.host(), address.port(), false, "");
    }
    URI u = URI.create(text);
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    String host = unbracket(u.getHost());
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return new Upstream(Transport.TCP, host, u.getPort(), false, "");
    }
    boolean tls = scheme.equals("https");
    int port = u.getPort() == -1 ? (tls ? 443 : 80) : u.getPort();
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new Upstream(Transport.HTTP, host, port, tls, path);
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
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
