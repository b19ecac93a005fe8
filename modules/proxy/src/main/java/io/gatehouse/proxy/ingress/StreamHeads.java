package io.gatehouse.proxy.ingress;

import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/** Heads of tunnel streams, to and from the Vert.x types the ingress works with. */
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

  /** A stream head's headers, without the HTTP/2 codec's own {@code x-http2-*} ones. */
  static MultiMap headers(HttpMessage head) {
    return TunnelStream.headers(head);
  }
}
