package io.gatehouse.relay.tunnel;

import io.gatehouse.relay.Splice;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.core.streams.impl.InboundBuffer;

/**
 * One session on a tunnel: an HTTP/2 stream seen as an HTTP/1-style exchange (a head, then a body
 * each way) and offered to Vert.x code as a {@link ReadStream} and a {@link WriteStream} of
 * buffers, so the relays pipe and splice it like any socket.
 *
 * <p>Every handler runs on the Vert.x context the stream was bound to; the channel's own work stays
 * on its event loop. Back-pressure is end to end: while the reader is paused the stream stops
 * reading, so HTTP/2 flow control stops the sender; {@link #writeQueueFull} is the stream's own
 * window being used up.
 *
 * <p>{@link #end} half-closes (END_STREAM), {@link #reset} aborts (RST_STREAM); the stream is
 * released once both directions have ended or it is reset.
 */
public final class TunnelStream implements Splice.End {
  /** The stream was reset or its tunnel closed before it ended. */
  public static final VertxException RESET = new VertxException("tunnel stream reset", true);

  private final Http2StreamChannel channel;
  private final ContextInternal context;
  private final InboundBuffer<Object> inbound;
  private final Promise<HttpMessage> head;
  private final Promise<Void> closed;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private Handler<Void> drainHandler;
  private boolean ended;
  private volatile boolean headWritten;

  private TunnelStream(Http2StreamChannel channel, ContextInternal context) {
    this.channel = channel;
    this.context = context;
    this.inbound = new InboundBuffer<>(context);
    this.head = context.promise();
    this.closed = context.promise();
    inbound.drainHandler(v -> channel.read());
  }

  /**
   * Binds a new stream channel to {@code context} and installs its handlers; call on the channel's
   * event loop before it reads anything.
   *
   * @param isServer true on the agent (it receives requests), false on the proxy
   */
  static TunnelStream bind(Http2StreamChannel channel, ContextInternal context, boolean isServer) {
    TunnelStream stream = new TunnelStream(channel, context);
    channel.config().setAutoRead(false);
    channel
        .pipeline()
        .addLast(new Http2StreamFrameToHttpObjectCodec(isServer), stream.new Bridge());
    channel.read();
    return stream;
  }

  /** The peer's head: the request on the agent's side, the response on the proxy's. */
  public Future<HttpMessage> head() {
    return head.future();
  }

  /**
   * A head's headers as Vert.x sees them, without the HTTP/2 codec's own {@code x-http2-*} ones:
   * what the relays on both ends copy from.
   */
  public static io.vertx.core.MultiMap headers(HttpMessage head) {
    io.vertx.core.MultiMap out = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
    for (java.util.Map.Entry<String, String> h : head.headers()) {
      if (!h.getKey().regionMatches(true, 0, "x-http2-", 0, 8)) {
        out.add(h.getKey(), h.getValue());
      }
    }
    return out;
  }

  /** Sends this side's head; the body follows with {@link #write} and {@link #end}. */
  public Future<Void> writeHead(HttpMessage message) {
    headWritten = true;
    return toVertx(channel.writeAndFlush(message));
  }

  /**
   * Sends this side's head and ends this direction at once (a request or response without body).
   */
  public Future<Void> writeHeadAndEnd(HttpMessage message) {
    headWritten = true;
    // One HEADERS frame that ends the stream: the peer sees a request (or response) without body,
    // not an empty chunked one.
    return toVertx(channel.writeAndFlush(full(message)));
  }

  private static HttpMessage full(HttpMessage message) {
    if (message instanceof HttpRequest r) {
      return new DefaultFullHttpRequest(
          r.protocolVersion(),
          r.method(),
          r.uri(),
          Unpooled.EMPTY_BUFFER,
          r.headers(),
          EmptyHttpHeaders.INSTANCE);
    }
    HttpResponse r = (HttpResponse) message;
    return new DefaultFullHttpResponse(
        r.protocolVersion(),
        r.status(),
        Unpooled.EMPTY_BUFFER,
        r.headers(),
        EmptyHttpHeaders.INSTANCE);
  }

  /** Whether this side's head has been sent. */
  public boolean headWritten() {
    return headWritten;
  }

  /** Completes once the stream is gone, ended both ways or reset. */
  public Future<Void> closeFuture() {
    return closed.future();
  }

  @Override
  public TunnelStream closeHandler(Handler<Void> handler) {
    closed.future().onComplete(ar -> handler.handle(null));
    return this;
  }

  /** Aborts the stream (RST_STREAM); the peer sees it fail. Idempotent. */
  public void reset() {
    channel.close();
  }

  @Override
  public TunnelStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public TunnelStream handler(Handler<Buffer> handler) {
    inbound.handler(
        handler == null
            ? null
            : item -> {
              if (item == InboundBuffer.END_SENTINEL) {
                Handler<Void> h = endHandler;
                if (h != null) {
                  h.handle(null);
                }
              } else {
                handler.handle((Buffer) item);
              }
            });
    return this;
  }

  @Override
  public TunnelStream pause() {
    inbound.pause();
    return this;
  }

  @Override
  public TunnelStream resume() {
    inbound.resume();
    return this;
  }

  @Override
  public TunnelStream fetch(long amount) {
    inbound.fetch(amount);
    return this;
  }

  @Override
  public TunnelStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return toVertx(
        channel.writeAndFlush(
            new io.netty.handler.codec.http.DefaultHttpContent(
                ((BufferInternal) data).getByteBuf())));
  }

  @Override
  public Future<Void> end() {
    return toVertx(channel.writeAndFlush(new DefaultLastHttpContent()));
  }

  @Override
  public TunnelStream setWriteQueueMaxSize(int maxSize) {
    // The queue is the stream's HTTP/2 window, set for the whole tunnel.
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return !channel.isWritable();
  }

  @Override
  public TunnelStream drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  private Future<Void> toVertx(io.netty.util.concurrent.Future<Void> future) {
    Promise<Void> promise = context.promise();
    future.addListener(
        f -> {
          if (f.isSuccess()) {
            promise.tryComplete();
          } else {
            promise.tryFail(f.cause());
          }
        });
    return promise.future();
  }

  /** The stream channel's last handler: hands what arrives to the context. */
  private final class Bridge extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpMessage message) {
        context.execute(message, m -> head.tryComplete(m));
      }
      if (msg instanceof HttpContent content) {
        Buffer data =
            content.content().isReadable()
                ? BufferInternal.safeBuffer(content.content().retain())
                : null;
        boolean last = content instanceof LastHttpContent;
        context.execute(
            v -> {
              boolean writable = true;
              if (data != null) {
                writable = inbound.write(data);
              }
              if (last) {
                ended = true;
                inbound.write(InboundBuffer.END_SENTINEL);
              } else if (writable) {
                channel.read();
              }
            });
      } else if (msg instanceof HttpMessage) {
        channel.read();
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        context.execute(
            v -> {
              Handler<Void> h = drainHandler;
              if (h != null) {
                h.handle(null);
              }
            });
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      context.execute(cause, TunnelStream.this::fail);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      context.execute(
          v -> {
            if (!ended) {
              fail(RESET);
            }
            closed.tryComplete();
          });
    }
  }

  private void fail(Throwable cause) {
    head.tryFail(cause);
    if (!ended) {
      ended = true;
      Handler<Throwable> h = exceptionHandler;
      if (h != null) {
        h.handle(cause);
      }
    }
  }
}
