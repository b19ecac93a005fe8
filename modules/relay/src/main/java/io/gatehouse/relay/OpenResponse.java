package io.gatehouse.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * A server response as the destination of a relayed body. The body arrives on the event loop of the
 * pooled client connection it comes from, which need not be the response's; when the peer goes away
 * mid-body, Vert.x's pipe may still ask the closed response whether its queue is full, and that
 * throws. Here a closed response is never full, and what is written to it is dropped (the pipe then
 * fails and the caller resets the exchange it was relaying).
 */
public final class OpenResponse implements WriteStream<Buffer> {
  private final HttpServerResponse response;

  public OpenResponse(HttpServerResponse response) {
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
