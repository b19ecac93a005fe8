package io.gatehouse.relay.tunnel;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a tunnel honest: sends an HTTP/2 PING every interval and closes the connection once no
 * acknowledgement has come back for {@code missed} intervals (checked at every ping; answers come
 * moments after a ping, so a frozen peer is closed about {@code missed} intervals after its last
 * answer). A peer that crashed closes its socket and is gone at once; this catches the one that
 * froze (a stopped process, a dead host, a cut link), within {@code missed × interval}.
 *
 * <p>Sits in the connection's pipeline after the HTTP/2 codec and multiplexer, where PING frames
 * arrive; both ends run one, so each learns of the other's death by itself.
 */
final class Liveness extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

  private final long intervalNanos;
  private final long deadNanos;
  private final int missed;
  private final LongSupplier nanoTime;
  private final String peer;
  private ScheduledFuture<?> task;
  private long lastAck;
  private long lastPing;

  Liveness(TunnelSettings settings, String peer) {
    this.intervalNanos = settings.pingInterval().toNanos();
    this.missed = settings.missedPings();
    // Checked once per interval, just before the next ping; the last answer came moments after a
    // ping, so the check at missed intervals after it must already count as dead: a quarter
    // interval of slack absorbs timer drift. One timer per tunnel per interval: 100k tunnels are
    // 100k wake-ups a second, not four times that.
    this.deadNanos = missed * intervalNanos - intervalNanos / 4;
    this.nanoTime = System::nanoTime;
    this.peer = peer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastAck = nanoTime.getAsLong();
    task =
        ctx.executor()
            .scheduleAtFixedRate(
                () -> tick(ctx), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2PingFrame ping && ping.ack()) {
      lastAck = nanoTime.getAsLong();
    }
    // The last word on the connection: streams went to the multiplexer, pings are answered by the
    // codec, and nothing else (settings, acknowledgements) is for the socket's own handler.
    ReferenceCountUtil.release(msg);
  }

  private void tick(ChannelHandlerContext ctx) {
    long now = nanoTime.getAsLong();
    long silent = now - lastAck;
    if (silent >= deadNanos) {
      LOG.warn(
          "tunnel to {} missed {} pings ({} ms without an answer): closing it",
          peer,
          missed,
          Duration.ofNanos(silent).toMillis());
      stop();
      ctx.close();
      return;
    }
    if (now - lastPing >= intervalNanos) {
      lastPing = now;
      ctx.writeAndFlush(new DefaultHttp2PingFrame(now));
    }
  }

  private void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }
}
