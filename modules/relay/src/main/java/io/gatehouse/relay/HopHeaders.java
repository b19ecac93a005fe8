package io.gatehouse.relay;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What crosses one hop of the relay (user → proxy → agent → upstream, and back). */
public final class HopHeaders {
  private HopHeaders() {}

  /**
   * Copies end-to-end headers: not hop-by-hop ({@link Wire#HOP_BY_HOP}), not named in {@code
   * Connection} (RFC 9110, 7.6.1), not {@code Gatehouse-*} when {@code dropGatehouse} (a user or an
   * upstream must not speak the wire protocol), and without the cookie {@code dropCookie} when it
   * is not null.
   */
  public static void copy(MultiMap from, MultiMap to, boolean dropGatehouse, String dropCookie) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (Wire.HOP_BY_HOP.contains(name)
          || listed.contains(name)
          || (dropGatehouse && name.startsWith(Wire.PREFIX))) {
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
  public static String withoutCookie(String header, String name) {
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

  /**
   * Whether the request asks to switch protocols (WebSocket, a tunnel and the like). An offer of
   * cleartext HTTP/2 ({@code h2c}) is not one: a server may ignore it, and this one does.
   */
  public static boolean isUpgrade(HttpServerRequest request) {
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return request.method() == HttpMethod.GET
        && upgrade != null
        && !upgrade.strip().equalsIgnoreCase("h2c")
        && connection != null
        && connection.toLowerCase(Locale.ROOT).contains("upgrade");
  }

  /** Whether the request asks to become a tunnel ({@link Wire#TUNNEL_PROTOCOL}). */
  public static boolean isTunnelUpgrade(HttpServerRequest request) {
    return isUpgrade(request)
        && Wire.TUNNEL_PROTOCOL.equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
  }

  /**
   * Whether the request carries a body that must be relayed. HTTP/1.1 says so by {@code
   * Content-Length} or chunked {@code Transfer-Encoding}; HTTP/2 frames a body without either, so
   * an HTTP/2 request without {@code Content-Length} has one unless it has already ended or its
   * method takes none ({@code GET}, {@code HEAD}, {@code DELETE}, {@code OPTIONS}, {@code TRACE}: a
   * body on those, whose meaning RFC 9110 leaves undefined, needs a {@code Content-Length}).
   */
  public static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !length.strip().equals("0");
    }
    if (request.version() == HttpVersion.HTTP_2) {
      return !request.isEnded() && !BODILESS_METHODS.contains(request.method());
    }
    String te = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  private static final Set<HttpMethod> BODILESS_METHODS =
      Set.of(
          HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

  /**
   * Lets the rest of {@code request}'s body flow (to be read or discarded), unless it has all been
   * read already: an HTTP/2 request refuses a resume after its end.
   */
  public static void resume(HttpServerRequest request) {
    if (!request.isEnded()) {
      request.resume();
    }
  }

  /**
   * Whether the response to a {@code method} request with {@code status} has no body whatever its
   * headers say (RFC 9110, 6.4.1): the answer to HEAD, any 1xx, 204 and 304. Such a response must
   * not be sent chunked, or the client would wait for a body that never comes.
   */
  public static boolean isBodyless(HttpMethod method, int status) {
    return method == HttpMethod.HEAD || status / 100 == 1 || status == 204 || status == 304;
  }

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
