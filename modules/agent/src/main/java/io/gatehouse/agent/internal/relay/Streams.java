package io.gatehouse.agent.internal.relay;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/** Relaying bytes with back-pressure and counting them, without copying. */
final class Streams {
  private Streams() {}

  /**
   * Joins two sockets into one stream in both directions. Each direction pauses its source while
   * the other side's write queue is full; either side ending or failing ends the other.
   */
  static void splice(NetSocket proxy, NetSocket upstream, RelayMetrics metrics) {
    pump(proxy, upstream, metrics.upstreamBytes());
    pump(upstream, proxy, metrics.downstreamBytes());
    proxy.closeHandler(v -> upstream.end());
    upstream.closeHandler(v -> proxy.end());
    proxy.exceptionHandler(e -> proxy.close());
    upstream.exceptionHandler(e -> upstream.close());
    proxy.resume();
    upstream.resume();
  }

  /**
   * Takes over {@code request}'s connection, once its response head is set, and splices it to
   * {@code upstream}; if the connection cannot be taken over, {@code upstream} is closed.
   */
  static void splice(HttpServerRequest request, NetSocket upstream, RelayMetrics metrics) {
    request
        .toNetSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                upstream.close();
              } else {
                splice(ar.result(), upstream, metrics);
              }
            });
  }

  private static void pump(NetSocket src, NetSocket dst, Counter bytes) {
    src.handler(
        buffer -> {
          bytes.increment(buffer.length());
          dst.write(buffer);
          if (dst.writeQueueFull()) {
            src.pause();
            dst.drainHandler(v -> src.resume());
          }
        });
    src.endHandler(v -> dst.end());
  }

  /** {@code source} as seen by a pipe, counting every buffer that passes. */
  static ReadStream<Buffer> counted(ReadStream<Buffer> source, Counter bytes) {
    return new ReadStream<>() {
      @Override
      public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        source.exceptionHandler(handler);
        return this;
      }

      @Override
      public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        source.handler(
            handler == null
                ? null
                : buffer -> {
                  bytes.increment(buffer.length());
                  handler.handle(buffer);
                });
        return this;
      }

      @Override
      public ReadStream<Buffer> pause() {
        source.pause();
        return this;
      }

      @Override
      public ReadStream<Buffer> resume() {
        source.resume();
        return this;
      }

      @Override
      public ReadStream<Buffer> fetch(long amount) {
        source.fetch(amount);
        return this;
      }

      @Override
      public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        source.endHandler(endHandler);
        return this;
      }
    };
  }
}
