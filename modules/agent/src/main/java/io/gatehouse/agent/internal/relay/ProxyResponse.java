package io.gatehouse.agent.internal.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * The response to the proxy as the destination of the upstream's body. The upstream's response may
 * arrive on another event loop than the proxy's request; when the proxy's connection closes
 * mid-body, Vert.x's pipe may still ask the closed response whether its queue is full, and that
 * throws. Here a closed response is never full, and what is written to it is dropped (the pipe then
 * fails and the upstream exchange is reset). The proxy has the same guard for the user's response
 * ({@code proxy.ingress.UserResponse}); agent and proxy share no Vert.x module to hold one copy.
 */
final class ProxyResponse implements WriteStream<Buffer> {
  private final HttpServerResponse response;

  ProxyResponse(HttpServerResponse response) {
    this.response = response;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    response.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return response.write(data);
  }

  @Override
  public Future<Void> end() {
    return response.end();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    response.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    try {
      return response.writeQueueFull();
    } catch (IllegalStateException closed) {
      return false;
    }
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
    return this;
  }
}
