package io.gatehouse.proxy.listener;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The host a request is for, whatever HTTP version carried it: HTTP/1.1's {@code Host} header or
 * HTTP/2's {@code :authority} pseudo-header (which browsers send instead of {@code Host}).
 */
public final class RequestHost {
  private RequestHost() {}

  /** {@code host} or {@code host:port} as the client wrote it; null when the request names none. */
  public static String of(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return null;
    }
    return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
  }
}
