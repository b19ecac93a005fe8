package io.gatehouse.proxy.listener;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.regex.Pattern;

/**
 * The address of the client a request comes from, for audit events, rate limits and {@code
 * X-Forwarded-For}: the peer of the connection on the TLS port; on the plaintext listener, which
 * only a balancer on the same host reaches (it binds loopback only), the last {@code
 * X-Forwarded-For} entry, the one that balancer added.
 */
public final class ClientAddress {
  /** An address is short and made of hex digits, dots and colons; anything else is not one. */
  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]{1,45}");

  private ClientAddress() {}

  public static String of(HttpServerRequest request) {
    if (!request.isSSL()) {
      String forwarded = lastForwardedFor(request.getHeader("X-Forwarded-For"));
      if (forwarded != null) {
        return forwarded;
      }
    }
    SocketAddress address = request.remoteAddress();
    if (address == null) {
      return "unknown";
    }
    String host = address.hostAddress();
    return host != null ? host : address.toString();
  }

  private static String lastForwardedFor(String header) {
    if (header == null) {
      return null;
    }
    String last = header.substring(header.lastIndexOf(',') + 1).strip();
    return ADDRESS.matcher(last).matches() ? last : null;
  }
}
