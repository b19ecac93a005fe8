package io.gatehouse.relay.tunnel;

import io.gatehouse.config.HostPort;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.Wire;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;

/**
 * The agent's side of opening a tunnel: dials a proxy's port, does TLS with the agent's
 * certificate, asks for the upgrade, and on {@code 101} becomes the HTTP/2 server end of a {@link
 * Tunnel}. The agent opens no port of its own: every session arrives as a stream on a connection it
 * dialed.
 */
public final class TunnelDialer {
  private final EventLoopGroup group;
  private final ChannelFactory<? extends Channel> channels;
  private volatile SslContext ssl;
  private final TunnelSettings settings;
  private final Duration connectTimeout;
  private volatile String userAgent = "gatehouse-agent";

  /**
   * @param group the event loops tunnels run on (the agent's Vert.x loops)
   * @param channels makes the sockets, of the transport {@code group} runs (Vert.x's {@code
   *     transport().channelFactory(false)}: native epoll where it loads, else NIO)
   * @param ssl the client TLS context: the agent's key and certificate, trusting the cluster CA
   */
  public TunnelDialer(
      EventLoopGroup group,
      ChannelFactory<? extends Channel> channels,
      SslContext ssl,
      TunnelSettings settings,
      Duration connectTimeout) {
    this.group = group;
    this.channels = channels;
    this.ssl = ssl;
    this.settings = settings;
    this.connectTimeout = connectTimeout;
  }

  /**
   * What the upgrade request says in {@code User-Agent}, e.g. {@code gatehouse-agent/2.0.0}: the
   * proxy shows the version in its agent list.
   */
  public TunnelDialer userAgent(String userAgent) {
    this.userAgent = userAgent;
    return this;
  }

  /** From now on, new tunnels present the credentials of {@code ssl} (a renewed certificate). */
  public void credentials(SslContext ssl) {
    this.ssl = ssl;
  }

  /**
   * A tunnel to {@code proxy} for agent {@code agentId}, each stream the proxy opens handed to
   * {@code onStream}; completes once the proxy has answered 101, fails with a {@link
   * TunnelException} saying why when it did not.
   *
   * @param onConnected told the proxy's certificate once TLS is up; throws to refuse the proxy
   */
  public CompletableFuture<Tunnel> dial(
      HostPort proxy,
      String agentId,
      Consumer<X509Certificate> onConnected,
      Consumer<Http2StreamChannel> onStream) {
    return dial(proxy, agentId, false, onConnected, onStream);
  }

  /**
   * A data lane to {@code proxy} next to the agent's main tunnel there ({@link Wire#TUNNEL_LANE}):
   * as {@link #dial}, but the proxy opens no control stream on it, and refuses it with {@code
   * lane-refused} when it landed on a proxy event loop that has a tunnel of the agent already.
   */
  public CompletableFuture<Tunnel> dialLane(
      HostPort proxy,
      String agentId,
      Consumer<X509Certificate> onConnected,
      Consumer<Http2StreamChannel> onStream) {
    return dial(proxy, agentId, true, onConnected, onStream);
  }

  private CompletableFuture<Tunnel> dial(
      HostPort proxy,
      String agentId,
      boolean lane,
      Consumer<X509Certificate> onConnected,
      Consumer<Http2StreamChannel> onStream) {
    CompletableFuture<Tunnel> result = new CompletableFuture<>();
    String peer = "proxy at " + proxy;
    new Bootstrap()
        .group(group)
        .channelFactory(channels)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                // Every proxy is asked for the tunnel name, whatever address it is dialled at: it
                // answers with its cluster certificate, which must name it (users may be shown the
                // operator's own certificate on the same port).
                SslHandler tls =
                    TunnelDialer.this.ssl.newHandler(
                        ch.alloc(), Wire.TUNNEL_SERVER_NAME, proxy.port());
                SSLParameters parameters = tls.engine().getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(Wire.TUNNEL_SERVER_NAME)));
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.engine().setSSLParameters(parameters);
                Busy busy = new Busy();
                ch.pipeline()
                    .addLast("busy", busy)
                    .addLast("tls", tls)
                    .addLast("http", new HttpClientCodec())
                    .addLast(
                        "upgrade",
                        new Upgrade(
                            tls, busy, proxy, agentId, lane, peer, onConnected, onStream, result));
              }
            })
        .connect(proxy.host(), proxy.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    result.completeExceptionally(
                        new TunnelException(
                            "cannot reach " + peer + ": " + f.cause().getMessage(), f.cause()));
                  }
                });
    return result;
  }

  /**
   * Notes whether the proxy's first TLS record is an alert in the clear: a refusal of the
   * ClientHello before any ServerHello (in TLS 1.3 every later alert is encrypted), which is how a
   * proxy with too many agent handshakes in flight sheds one ({@code docs/wire-protocol.md},
   * "Busy"). Leaves the pipeline at the first bytes, whatever they are.
   */
  private static final class Busy extends ChannelInboundHandlerAdapter {
    private static final byte ALERT = 21;
    private volatile boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
        refused = bytes.getByte(bytes.readerIndex()) == ALERT;
        ctx.pipeline().remove(this);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Asks for the upgrade once TLS is up and swaps the HTTP/1.1 codec for the tunnel on 101. */
  private final class Upgrade extends ChannelInboundHandlerAdapter {
    private final SslHandler tls;
    private final Busy busy;
    private final HostPort proxy;
    private final String agentId;
    private final boolean lane;
    private final String peer;
    private final Consumer<X509Certificate> onConnected;
    private final Consumer<Http2StreamChannel> onStream;
    private final CompletableFuture<Tunnel> result;
    private boolean switching;
    private int lanes = 1;

    Upgrade(
        SslHandler tls,
        Busy busy,
        HostPort proxy,
        String agentId,
        boolean lane,
        String peer,
        Consumer<X509Certificate> onConnected,
        Consumer<Http2StreamChannel> onStream,
        CompletableFuture<Tunnel> result) {
      this.tls = tls;
      this.busy = busy;
      this.proxy = proxy;
      this.agentId = agentId;
      this.lane = lane;
      this.peer = peer;
      this.onConnected = onConnected;
      this.onStream = onStream;
      this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      tls.handshakeFuture()
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  if (busy.refused) {
                    result.completeExceptionally(
                        new TunnelException(
                            peer
                                + " is busy: it refused the TLS handshake at its start (too many"
                                + " agent handshakes in flight); dial again later",
                            f.cause(),
                            ErrorCode.OVERLOADED.code()));
                    ctx.close();
                    return;
                  }
                  fail(ctx, "TLS with " + peer + " failed: " + f.cause().getMessage(), f.cause());
                  return;
                }
                try {
                  Certificate[] chain = tls.engine().getSession().getPeerCertificates();
                  onConnected.accept((X509Certificate) chain[0]);
                } catch (Exception e) {
                  fail(ctx, "refusing " + peer + ": " + e.getMessage(), e);
                  return;
                }
                FullHttpRequest request =
                    new DefaultFullHttpRequest(
                        HttpVersion.HTTP_1_1, HttpMethod.GET, Wire.AGENT_TUNNEL_PATH);
                request.headers().set(HttpHeaderNames.HOST, proxy.toString());
                request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
                request.headers().set(HttpHeaderNames.UPGRADE, Wire.AGENT_TUNNEL_PROTOCOL);
                request.headers().set(Wire.AGENT, agentId);
                request.headers().set(HttpHeaderNames.USER_AGENT, userAgent);
                if (lane) {
                  request.headers().set(Wire.TUNNEL_LANE, Wire.LANE);
                }
                ctx.writeAndFlush(request);
              });
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response) {
          if (response.status().code() != 101) {
            result.completeExceptionally(
                new TunnelException(
                    peer + " refused the tunnel: " + response.status() + reason(response),
                    null,
                    response.headers().get(Wire.ERROR)));
            ctx.close();
            return;
          }
          lanes = lanes(response.headers().get(Wire.TUNNEL_LANES));
          switching = true;
        }
        if (switching && msg instanceof LastHttpContent) {
          // Whatever the proxy sends next is HTTP/2: the codec goes, the tunnel takes the rest.
          Tunnel tunnel = Tunnel.agentEnd(ctx.pipeline(), settings, peer, lanes, onStream);
          ctx.pipeline().remove(this);
          ctx.pipeline().remove("http");
          result.complete(tunnel);
        } else if (msg instanceof ByteBuf) {
          ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new TunnelException(peer + " closed the connection"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, "tunnel to " + peer + " failed: " + cause.getMessage(), cause);
    }

    private void fail(ChannelHandlerContext ctx, String message, Throwable cause) {
      result.completeExceptionally(new TunnelException(message, cause));
      ctx.close();
    }

    /** The proxy's {@link Wire#TUNNEL_LANES}: 1 when absent or not a number, at most the cap. */
    private static int lanes(String header) {
      if (header == null) {
        return 1;
      }
      try {
        return Math.max(1, Math.min(Wire.MAX_LANES, Integer.parseInt(header.trim())));
      } catch (NumberFormatException e) {
        return 1;
      }
    }

    private String reason(HttpResponse response) {
      String error = response.headers().get(Wire.ERROR);
      return error == null ? "" : " (" + error + ")";
    }
  }
}
