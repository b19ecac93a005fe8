package io.gatehouse.agent.internal.relay;

import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * One session a proxy opened on a tunnel, as the agent's relays see it: the request head (method,
 * target, headers, whether a body follows), the stream to read the body from and to write the
 * response to, and the one way to answer with an error. The HTTP/2 codec's own {@code x-http2-*}
 * headers never reach a relay.
 */
final class ProxyExchange {
  private final TunnelStream stream;
  private final HttpRequest head;
  private final MultiMap headers;
  private final String tunnelProxy;

  ProxyExchange(TunnelStream stream, HttpRequest head, String tunnelProxy) {
    this.stream = stream;
    this.head = head;
    this.headers = TunnelStream.headers(head);
    this.tunnelProxy = tunnelProxy;
  }

  /** The id of the proxy whose certificate the stream's tunnel was opened to. */
  String tunnelProxy() {
    return tunnelProxy;
  }

  HttpMethod method() {
    return HttpMethod.valueOf(head.method().name());
  }

  /** The request target as the user sent it (origin form). */
  String uri() {
    return head.uri();
  }

  /** The path part of {@link #uri}. */
  String path() {
    int q = head.uri().indexOf('?');
    return q < 0 ? head.uri() : head.uri().substring(0, q);
  }

  MultiMap headers() {
    return headers;
  }

  String header(String name) {
    return headers.get(name);
  }

  /** Whether a body follows the head (HTTP/2: the head did not end the stream). */
  boolean hasBody() {
    return !(head instanceof FullHttpRequest);
  }

  /** The body from the proxy and, once the head is sent, the response's way back. */
  TunnelStream stream() {
    return stream;
  }

  /** Whether the proxy gave the session up (reset the stream or lost the tunnel). */
  boolean isClosed() {
    return stream.closeFuture().isComplete();
  }

  /**
   * Sends the response head; with {@code end} the response is complete (no body follows).
   *
   * @param headers already filtered for the hop
   */
  void respond(int status, MultiMap headers, boolean end) {
    HttpResponse response =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    headers.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
    if (end) {
      stream.writeHeadAndEnd(response);
    } else {
      stream.writeHead(response);
    }
  }

  /**
   * Answers with {@code code}'s status, {@code Gatehouse-Error} and {@code Gatehouse-Agent} and one
   * line of text, unless the response has started: then the stream is reset, the only honest signal
   * left.
   */
  void fail(ErrorCode code, String agentId, String line) {
    if (stream.headWritten()) {
      stream.reset();
      return;
    }
    if (isClosed()) {
      return;
    }
    // The request's body, if any, is not wanted: reading it on keeps the stream's window open.
    stream.handler(b -> {});
    stream.resume();
    MultiMap h =
        MultiMap.caseInsensitiveMultiMap()
            .set(Wire.ERROR, code.code())
            .set(Wire.AGENT, agentId)
            .set("content-type", "text/plain; charset=utf-8");
    respond(code.status(), h, false);
    stream.end(Buffer.buffer(line.replace('\n', ' ').replace('\r', ' ') + "\n"));
  }
}
