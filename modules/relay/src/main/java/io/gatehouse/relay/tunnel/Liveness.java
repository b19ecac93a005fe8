package io.gatehouse.relay.tunnel;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a tunnel honest with pings from one end only, so that an idle tunnel costs one PING and one
 * acknowledgement per interval, not two of each:
 *
 * <ul>
 *   <li>{@link #pinging} (the agent's end) sends an HTTP/2 PING every interval and closes the
 *       connection once no acknowledgement has come back for {@code missed} intervals (checked at
 *       every ping; answers come moments after a ping, so a frozen peer is closed about {@code
 *       missed} intervals after its last answer).
 *   <li>{@link #listening} (the proxy's end) sends no ping: the other end's pings are what it
 *       hears, and it closes the connection once nothing at all (a ping, settings, any
 *       connection-level frame) has arrived for {@code missed} intervals.
 * </ul>
 *
 * A peer that crashed closes its socket and is gone at once; this catches the one that froze (a
 * stopped process, a dead host, a cut link), within {@code missed × interval} of its last word.
 * Both ends must run with the same {@link TunnelSettings}: a listener expecting pings more often
 * than its peer sends them closes healthy tunnels.
 *
 * <p>Sits in the connection's pipeline after the HTTP/2 codec and multiplexer, where PING frames
 * arrive (the codec acknowledges them itself).
 */
final class Liveness extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

  private final boolean pings;
  private final long intervalNanos;
  private final long deadNanos;
  private final int missed;
  private final String peer;
  private ScheduledFuture<?> task;
  private long lastHeard;

  private Liveness(boolean pings, TunnelSettings settings, String peer) {
    this.pings = pings;
    this.intervalNanos = settings.pingInterval().toNanos();
    this.missed = settings.missedPings();
    // A pinger checks once per interval, just before its next ping; the last answer came moments
    // after a ping, so the check at missed intervals after it must already count as dead: a
    // quarter interval of slack absorbs timer drift. One timer per tunnel per interval: 100k
    // tunnels are 100k wake-ups a second, not four times that. A listener's timer is set for the
    // moment the silence would reach the limit, so it needs no slack.
    this.deadNanos =
        pings ? missed * intervalNanos - intervalNanos / 4 : settings.deadAfter().toNanos();
    this.peer = peer;
  }

  /** The end that pings every interval and judges its peer by the acknowledgements. */
  static Liveness pinging(TunnelSettings settings, String peer) {
    return new Liveness(true, settings, peer);
  }

  /** The end that sends no ping and judges its peer by what it hears from it (its pings). */
  static Liveness listening(TunnelSettings settings, String peer) {
    return new Liveness(false, settings, peer);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastHeard = System.nanoTime();
    if (pings) {
      task =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> ping(ctx), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    } else {
      listen(ctx, deadNanos);
    }
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
    // A pinger is answered by acknowledgements only (its peer's own pings would not prove that
    // the peer reads); for a listener, any frame is a sign of life.
    if (!pings || (msg instanceof Http2PingFrame ping && ping.ack())) {
      lastHeard = System.nanoTime();
    }
    // The last word on the connection: streams went to the multiplexer, pings are answered by the
    // codec, and nothing else (settings, acknowledgements) is for the socket's own handler.
    ReferenceCountUtil.release(msg);
  }

  private void ping(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    long silent = now - lastHeard;
    if (silent >= deadNanos) {
      close(ctx, silent);
      return;
    }
    // Every tick: a tick that fires a little early after a late one must not skip its ping, or the
    // listener hears nothing for two intervals.
    ctx.writeAndFlush(new DefaultHttp2PingFrame(now));
  }

  /**
   * Wakes when the silence would reach the limit, not every interval: with pings arriving every
   * interval the timer fires about once per {@code missed - 1} intervals.
   */
  private void listen(ChannelHandlerContext ctx, long delayNanos) {
    task = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (task == null) {
      return;
    }
    long silent = System.nanoTime() - lastHeard;
    if (silent >= deadNanos) {
      close(ctx, silent);
    } else {
      listen(ctx, deadNanos - silent);
    }
  }

  private void close(ChannelHandlerContext ctx, long silentNanos) {
    LOG.warn(
        "tunnel to {} {} for {} ms ({} intervals): closing it",
        peer,
        pings ? "answered no ping" : "sent nothing",
        Duration.ofNanos(silentNanos).toMillis(),
        missed);
    stop();
    ctx.close();
  }

  private void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }
}
