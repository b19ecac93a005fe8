package io.gatehouse.proxy.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/** Counts the idle events of a connection on their way to Vert.x, which closes it. */
final class IdleCount extends ChannelInboundHandlerAdapter {
  private final Runnable onIdle;

  IdleCount(Runnable onIdle) {
    this.onIdle = onIdle;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      onIdle.run();
    }
    super.userEventTriggered(ctx, evt);
  }
}
