package io.gatehouse.proxy.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Watches an HTTP/1.x connection between Netty's codec and Vert.x: decoded request heads coming in,
 * responses going out. The header-read deadline runs from the moment the handler is added (the
 * connection is up) and again from the end of each response that leaves no request unanswered; a
 * decoded request head stops it. A {@code 101} turns the connection into a tunnel or WebSocket
 * whose bytes are no longer HTTP: from then on only the idle timeout applies.
 *
 * <p>Counting responses against heads, rather than trusting one flag, keeps a pipelined request
 * (already decoded, not yet answered) from being cut while it waits its turn.
 */
final class Http1Heads extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private final Runnable onHeadTimeout;
  private final Runnable onIdle;
  private Deadline deadline;
  private long heads;
  private long responses;
  private boolean responding;
  private boolean upgraded;

  Http1Heads(long timeoutNanos, Runnable onHeadTimeout, Runnable onIdle) {
    this.timeoutNanos = timeoutNanos;
    this.onHeadTimeout = onHeadTimeout;
    this.onIdle = onIdle;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = new Deadline(ctx.channel(), timeoutNanos, onHeadTimeout);
    deadline.arm();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest && !upgraded) {
      heads++;
      deadline.cancel();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!upgraded) {
      if (msg instanceof HttpResponse response) {
        int status = response.status().code();
        if (status == 101) {
          upgraded = true;
          deadline.cancel();
        } else if (status >= 200) {
          // 1xx answers (100 Continue) come before the real one and end nothing.
          responding = true;
          deadline.cancel();
        }
      }
      if (responding && msg instanceof LastHttpContent) {
        responding = false;
        responses++;
        if (responses >= heads) {
          deadline.arm();
        }
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Vert.x's handler further on closes the connection; this only counts it.
      onIdle.run();
    }
    ctx.fireUserEventTriggered(evt);
  }
}
