package io.gatehouse.proxy.ingress;

import io.gatehouse.events.wire.Wire;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Header rules of the relay: what crosses a hop and what the wire protocol adds. */
final class Headers {
  static final String RESOURCE = Wire.RESOURCE;
  static final String SESSION = Wire.SESSION;
  static final String PROXY = Wire.PROXY;
  static final String AGENT = Wire.AGENT;
  static final String ERROR = Failures.ERROR_HEADER;
  static final String PREFIX = Wire.PREFIX;
  static final String TUNNEL_PROTOCOL = Wire.TUNNEL_PROTOCOL;
  static final String AGENT_TUNNEL_PATH = Wire.TUNNEL_PATH;
  /** Codes of the wire protocol after which another agent may succeed. */
  static final Set<String> RETRYABLE_CODES = Wire.RETRYABLE_CODES;

  private static final Set<String> HOP_BY_HOP = Wire.HOP_BY_HOP;

  private Headers() {}

  /**
   * Copies end-to-end headers: not hop-by-hop, not named in {@code Connection}, not
   * {@code Gatehouse-*} when {@code dropGatehouse} (a user must not speak the wire protocol).
   */
  static void copy(MultiMap from, MultiMap to, boolean dropGatehouse, String dropCookie) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || listed.contains(name) || (dropGatehouse && name.startsWith(PREFIX))) {
        continue;
      }
      if (dropCookie != null && name.equals("cookie")) {
        String rest = withoutCookie(h.getValue(), dropCookie);
        if (!rest.isEmpty()) {
          to.add(h.getKey(), rest);
        }
        continue;
      }
      to.add(h.getKey(), h.getValue());
    }
  }

  /** A {@code Cookie} header value without the cookie {@code name}. */
  static String withoutCookie(String header, String name) {
    StringBuilder out = new StringBuilder();
    for (String pair : header.split(";")) {
      String p = pair.strip();
      if (p.isEmpty() || p.startsWith(name + "=")) {
        continue;
      }
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append(p);
    }
    return out.toString();
  }

  /** Whether the request asks to switch protocols (WebSocket and the like). */
  static boolean isUpgrade(HttpServerRequest request) {
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    return request.method() == HttpMethod.GET
        && request.getHeader(HttpHeaders.UPGRADE) != null
        && connection != null
        && connection.toLowerCase(Locale.ROOT).contains("upgrade");
  }

  /** Whether the request carries a body that must be relayed. */
  static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !length.strip().equals("0");
    }
    String te = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  /** Headers named in {@code Connection} are hop-by-hop too (RFC 9110, 7.6.1). */
  private static Set<String> connectionListed(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection == null) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    for (String token : connection.split(",")) {
      out.add(token.strip().toLowerCase(Locale.ROOT));
    }
    return out;
  }
}
