package io.gatehouse.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Two byte streams (sockets, tunnel streams) joined into one byte stream in both directions, the
 * one splice of either end of the wire (a tunnel, an upgraded connection). It is back-pressured: a
 * side is paused while the other's write queue is full. When either side ends, closes or fails,
 * both are ended (flushing what is queued) and the end handler runs once with the byte counts.
 * Every buffer is also reported to the given counters as it passes, so long-lived connections show
 * on meters before they end.
 */
public final class Splice {
  /** One side of a splice: a byte stream both ways that says when it has closed. */
  public interface End extends ReadStream<Buffer>, WriteStream<Buffer> {
    /** Runs once the side is closed, whoever closed it. */
    End closeHandler(Handler<Void> handler);

    @Override
    End exceptionHandler(Handler<Throwable> handler);

    /** A socket as one side. */
    static End of(NetSocket socket) {
      return new SocketEnd(socket);
    }
  }

  private final End downstream;
  private final End upstream;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong down = new AtomicLong();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final Handler<Splice> onEnd;

  private Splice(End downstream, End upstream, Handler<Splice> onEnd) {
    this.downstream = downstream;
    this.upstream = upstream;
    this.onEnd = onEnd;
  }

  /**
   * Starts relaying; both sockets may be paused when handed over.
   *
   * @param downstream the side that asked for the stream (the user, or the proxy at the agent)
   * @param upstream the side it reaches (the agent, or the upstream at the agent)
   * @param countUp told the size of every buffer from downstream to upstream
   * @param countDown told the size of every buffer from upstream to downstream
   */
  public static Splice join(
      End downstream,
      End upstream,
      LongConsumer countUp,
      LongConsumer countDown,
      Handler<Splice> onEnd) {
    Splice s = new Splice(downstream, upstream, onEnd);
    s.pump(downstream, upstream, s.up, countUp);
    s.pump(upstream, downstream, s.down, countDown);
    downstream.resume();
    upstream.resume();
    return s;
  }

  /**
   * Takes over {@code request}'s connection, once its response head is set, and splices it to
   * {@code upstream}; if the connection cannot be taken over, {@code upstream} is closed.
   */
  public static void takeOver(
      HttpServerRequest request, End upstream, LongConsumer countUp, LongConsumer countDown) {
    request
        .toNetSocket()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                upstream.end();
              } else {
                join(End.of(ar.result()), upstream, countUp, countDown, s -> {});
              }
            });
  }

  /** Bytes downstream sent towards upstream. */
  public long bytesUp() {
    return up.get();
  }

  /** Bytes upstream sent towards downstream. */
  public long bytesDown() {
    return down.get();
  }

  /** Ends both sides (the end handler runs if it has not yet). */
  public void close() {
    finish();
  }

  private void pump(End from, End to, AtomicLong total, LongConsumer count) {
    from.handler(
        buffer -> {
          total.addAndGet(buffer.length());
          count.accept(buffer.length());
          to.write(buffer);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    from.endHandler(v -> finish());
    from.closeHandler(v -> finish());
    from.exceptionHandler(e -> finish());
  }

  private void finish() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    // end() flushes what is queued before closing, so the last bytes of either side arrive.
    downstream.end();
    upstream.end();
    onEnd.handle(this);
  }

  /** A socket seen as a splice end. */
  private record SocketEnd(NetSocket socket) implements End {
    @Override
    public End closeHandler(Handler<Void> handler) {
      socket.closeHandler(handler);
      return this;
    }

    @Override
    public End exceptionHandler(Handler<Throwable> handler) {
      socket.exceptionHandler(handler);
      return this;
    }

    @Override
    public End handler(Handler<Buffer> handler) {
      socket.handler(handler);
      return this;
    }

    @Override
    public End pause() {
      socket.pause();
      return this;
    }

    @Override
    public End resume() {
      socket.resume();
      return this;
    }

    @Override
    public End fetch(long amount) {
      socket.fetch(amount);
      return this;
    }

    @Override
    public End endHandler(Handler<Void> endHandler) {
      socket.endHandler(endHandler);
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      return socket.write(data);
    }

    @Override
    public Future<Void> end() {
      return socket.end();
    }

    @Override
    public End setWriteQueueMaxSize(int maxSize) {
      socket.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return socket.writeQueueFull();
    }

    @Override
    public End drainHandler(Handler<Void> handler) {
      socket.drainHandler(handler);
      return this;
    }
  }
}
