package io.gatehouse.agent.internal.relay;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Relayed bodies, counted without copying (upgraded connections and tunnels are a {@link
 * io.gatehouse.relay.Splice}).
 */
final class Streams {
  private Streams() {}

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
