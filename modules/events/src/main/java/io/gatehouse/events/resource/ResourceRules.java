package io.gatehouse.events.resource;

import io.gatehouse.config.DnsLabel;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rules a resource definition obeys, whoever reads it: the proxy's API for dynamic resources
 * and the agent for its static configuration and for what its watchers receive. Each check returns
 * the value to keep or throws {@link IllegalArgumentException} whose message is the reason, ready
 * to be reported at the key path of the value (a config problem or a 400).
 *
 * <p>The rules live here, beside {@link ResourceKind}, because they are part of what a resource is;
 * neither the API nor the agent owns them, so they cannot drift apart.
 */
public final class ResourceRules {
  /** The label key selectors use for "any"; a resource cannot carry it. */
  public static final String WILDCARD = "*";

  private ResourceRules() {}

  /**
   * A resource name is a DNS label, so that it fits a host name ({@code <app>.<public host>}) and a
   * {@code kind/name} key without escaping.
   *
   * @return the name
   */
  public static String checkName(String name) {
    return DnsLabel.check(name);
  }

  /** True when {@link #checkName} accepts the name. */
  public static boolean isName(String name) {
    return DnsLabel.isValid(name);
  }

  /**
   * A label key is any non-blank text but the selectors' wildcard, which would make a resource
   * match selectors written for "any value".
   *
   * @return the key
   */
  public static String checkLabelKey(String key) {
    if (key == null || key.isBlank() || key.equals(WILDCARD)) {
      throw new IllegalArgumentException("invalid label key '" + key + "'");
    }
    return key;
  }

  /** At most this many labels on one resource: they travel in every heartbeat and listing. */
  public static final int MAX_LABELS = 64;

  /** At most this many characters in a label's key or value. */
  public static final int MAX_LABEL_TEXT = 256;

  /**
   * A resource's labels: at most {@value #MAX_LABELS}, each key valid ({@link #checkLabelKey}) and
   * key and value at most {@value #MAX_LABEL_TEXT} characters, so a label cannot bloat every
   * heartbeat and listing.
   *
   * @return the labels
   * @throws IllegalArgumentException naming the first label over a bound
   */
  public static java.util.Map<String, String> checkLabels(java.util.Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw new IllegalArgumentException(
          labels.size() + " labels: at most " + MAX_LABELS + " per resource");
    }
    for (java.util.Map.Entry<String, String> e : labels.entrySet()) {
      checkLabelKey(e.getKey());
      if (e.getKey().length() > MAX_LABEL_TEXT || e.getValue().length() > MAX_LABEL_TEXT) {
        throw new IllegalArgumentException(
            "label '"
                + (e.getKey().length() > 40 ? e.getKey().substring(0, 40) + "…" : e.getKey())
                + "': keys and values have at most "
                + MAX_LABEL_TEXT
                + " characters");
      }
    }
    return labels;
  }

  /** Only byte-stream kinds (db, desktop) name a wire protocol; HTTP kinds speak HTTP. */
  public static boolean hasProtocol(ResourceKind kind) {
    return kind.isTcp();
  }

  /**
   * A protocol is a word in the style of a DNS label, e.g. {@code postgres}, {@code mysql} or
   * {@code rdp}.
   *
   * @return the protocol
   */
  public static String checkProtocol(String protocol) {
    if (!DnsLabel.isValid(protocol)) {
      throw new IllegalArgumentException(
          "invalid protocol '" + protocol + "': expected a word such as postgres, mysql or rdp");
    }
    return protocol;
  }

  /**
   * The upstream URI of a resource of {@code kind}: {@code app} takes {@code
   * http(s)://host[:port][/path]} or {@code tcp://host:port}; {@code kube} takes {@code
   * http(s)://host[:port][/path]}; {@code db} and {@code desktop} take {@code host:port}, {@code
   * tcp://host:port} or {@code <protocol>://host:port}. HTTP URIs carry no query or fragment; TCP
   * addresses carry no path or query.
   *
   * @return the URI without surrounding white space
   */
  public static String checkUri(ResourceKind kind, String uri) {
    String text = uri == null ? "" : uri.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("missing URI");
    }
    if (kind.isTcp() && !text.contains("://")) {
      return checkAddress(text);
    }
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URI '" + text + "': " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    boolean web = scheme.equals("http") || scheme.equals("https");
    switch (kind) {
      case APP -> {
        if (!web && !scheme.equals("tcp")) {
          throw invalid(text, "expected http://, https:// or tcp://host:port");
        }
      }
      case KUBE -> {
        if (!web) {
          throw invalid(text, "expected http:// or https://");
        }
      }
      case DB, DESKTOP -> {
        if (web) {
          throw invalid(
              text, "this kind is relayed as a TCP stream; use host:port or tcp://host:port");
        }
      }
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw invalid(text, "missing host");
    }
    if (web) {
      if (u.getRawQuery() != null || u.getRawFragment() != null) {
        throw invalid(text, "a query or fragment is not allowed");
      }
    } else {
      if (u.getPort() == -1) {
        throw invalid(text, "missing port");
      }
      String path = u.getRawPath();
      if ((path != null && !path.isEmpty() && !path.equals("/")) || u.getRawQuery() != null) {
        throw invalid(text, "a TCP address has no path or query");
      }
    }
    if (u.getPort() == 0 || u.getPort() > 65535) {
      throw invalid(text, "port must be 1-65535");
    }
    return text;
  }

  private static String checkAddress(String text) {
    HostPort address;
    try {
      address = HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid address '" + text + "': expected host:port or tcp://host:port");
    }
    if (address.port() == 0) {
      throw new IllegalArgumentException("invalid address '" + text + "': port must be 1-65535");
    }
    return text;
  }

  private static IllegalArgumentException invalid(String uri, String reason) {
    return new IllegalArgumentException("invalid URI '" + uri + "': " + reason);
  }
}
