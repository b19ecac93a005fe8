package io.gatehouse.relay.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.function.Consumer;

/**
 * One agent-to-proxy connection carrying many sessions as HTTP/2 streams, with the roles reversed
 * as cloudflared does: the agent dials out, then acts as the HTTP/2 server on its own connection,
 * and the proxy, as the client, opens a stream per session. Multiplexing, per-stream flow control
 * and pings are HTTP/2's (Netty's codec), not ours; {@link Liveness} closes a tunnel whose peer
 * falls silent. Only the agent pings (every interval, judging the proxy by the acknowledgements);
 * the proxy judges the agent by those pings arriving, so an idle tunnel costs each end one frame
 * out and one in per interval.
 *
 * <p>The ends are installed on a connection that is already up (TLS done, the upgrade answered):
 * {@link #proxyEnd} on the proxy, {@link #agentEnd} on the agent. The agent must send nothing until
 * the proxy's connection preface has arrived, so that no byte reaches the proxy before its codec is
 * in place; {@link #agentEnd} waits for it.
 */
public final class Tunnel {
  private final Channel channel;
  private final String peer;
  private final int lanes;

  private Tunnel(Channel channel, String peer, int lanes) {
    this.channel = channel;
    this.peer = peer;
    this.lanes = lanes;
  }

  /**
   * Makes {@code pipeline}'s connection the proxy's end of a tunnel to agent {@code peer}: the
   * HTTP/2 client, which opens streams and accepts none.
   *
   * @param before the handler to insert in front of (the socket's own last handler), or null to add
   *     at the end
   */
  public static Tunnel proxyEnd(
      ChannelPipeline pipeline, String before, TunnelSettings settings, String peer) {
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forClient().initialSettings(settings(settings)).build();
    Http2MultiplexHandler multiplex =
        new Http2MultiplexHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                // An agent cannot open streams towards the proxy (HTTP/2 servers only push).
                ch.close();
              }
            });
    add(pipeline, before, "tunnel-codec", codec);
    add(pipeline, before, "tunnel-multiplex", multiplex);
    // The proxy sends no pings: its agents ping it, and it judges each by hearing from it.
    add(pipeline, before, "tunnel-liveness", Liveness.listening(settings, peer));
    widenConnectionWindow(pipeline.channel(), settings);
    return new Tunnel(pipeline.channel(), peer, 1);
  }

  /**
   * Makes {@code pipeline}'s connection the agent's end of a tunnel to proxy {@code peer}: the
   * HTTP/2 server; every stream the proxy opens is handed to {@code onStream} on the connection's
   * event loop, before it has read anything.
   *
   * @param lanes how many connections the proxy asked the agent to keep to it (its {@link
   *     io.gatehouse.relay.Wire#TUNNEL_LANES}), 1 when it did not say
   */
  public static Tunnel agentEnd(
      ChannelPipeline pipeline,
      TunnelSettings settings,
      String peer,
      int lanes,
      Consumer<Http2StreamChannel> onStream) {
    pipeline.addLast(
        "tunnel-await-preface",
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline p = ctx.pipeline();
            p.addAfter(
                ctx.name(),
                "tunnel-codec",
                Http2FrameCodecBuilder.forServer().initialSettings(settings(settings)).build());
            p.addAfter(
                "tunnel-codec",
                "tunnel-multiplex",
                new Http2MultiplexHandler(
                    new ChannelInitializer<Http2StreamChannel>() {
                      @Override
                      protected void initChannel(Http2StreamChannel ch) {
                        onStream.accept(ch);
                      }
                    }));
            p.addAfter("tunnel-multiplex", "tunnel-liveness", Liveness.pinging(settings, peer));
            p.remove(this);
            widenConnectionWindow(p.channel(), settings);
            ctx.fireChannelRead(msg);
          }
        });
    return new Tunnel(pipeline.channel(), peer, lanes);
  }

  /**
   * Opens a stream for one session, its handlers bound to {@code context}. Fails when the tunnel is
   * closed or the agent refuses more streams.
   */
  public Future<TunnelStream> open(ContextInternal context) {
    Promise<TunnelStream> promise = context.promise();
    new Http2StreamChannelBootstrap(channel)
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {}
            })
        .open()
        .addListener(
            f -> {
              if (f.isSuccess()) {
                Http2StreamChannel ch = (Http2StreamChannel) f.getNow();
                promise.tryComplete(TunnelStream.bind(ch, context, false));
              } else {
                promise.tryFail(f.cause());
              }
            });
    return promise.future();
  }

  /** Binds a stream the proxy opened to {@code context}; for the agent's stream handler. */
  public static TunnelStream accept(Http2StreamChannel channel, ContextInternal context) {
    return TunnelStream.bind(channel, context, true);
  }

  /**
   * On the agent's end, how many connections the proxy asked it to keep (this one included); 1 on
   * the proxy's end.
   */
  public int lanes() {
    return lanes;
  }

  /** Whether the connection's work runs on {@code loop}: a stream opened from it needs no hop. */
  public boolean runsOn(EventExecutor loop) {
    return channel.eventLoop() == loop;
  }

  /** The other end's name (an agent or proxy id), for messages. */
  public String peer() {
    return peer;
  }

  /** Whether the connection is still up. */
  public boolean isOpen() {
    return channel.isActive();
  }

  /** Runs once the connection is closed, whoever closed it. */
  public void onClose(Runnable action) {
    channel.closeFuture().addListener(f -> action.run());
  }

  /** Closes the connection and with it every stream. Idempotent. */
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "Tunnel[" + peer + ", " + (isOpen() ? "open" : "closed") + "]";
  }

  private static Http2Settings settings(TunnelSettings settings) {
    return Http2Settings.defaultSettings()
        .initialWindowSize(settings.streamWindow())
        .maxConcurrentStreams(100_000)
        .maxHeaderListSize(64 * 1024);
  }

  /** The connection's own window starts at 64 KiB in HTTP/2; grow it to carry many full streams. */
  private static void widenConnectionWindow(Channel channel, TunnelSettings settings) {
    int delta = settings.streamWindow() * 16 - 65_535;
    channel
        .eventLoop()
        .execute(() -> channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta)));
  }

  private static void add(
      ChannelPipeline pipeline, String before, String name, io.netty.channel.ChannelHandler h) {
    if (before == null) {
      pipeline.addLast(name, h);
    } else {
      pipeline.addBefore(before, name, h);
    }
  }
}
