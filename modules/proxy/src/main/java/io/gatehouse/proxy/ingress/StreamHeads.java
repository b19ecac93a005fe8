package io.gatehouse.proxy.ingress;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/** Request heads for tunnel streams, from the Vert.x types the ingress works with. */
final class StreamHeads {
  private StreamHeads() {}

  /** A request head for a stream; {@code headers} already filtered for the hop. */
  static HttpRequest request(HttpMethod method, String uri, MultiMap headers) {
    HttpRequest head =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpMethod.valueOf(method.name()),
            uri);
    headers.forEach(h -> head.headers().add(h.getKey(), h.getValue()));
    return head;
  }
}
