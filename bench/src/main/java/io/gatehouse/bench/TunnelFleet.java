package io.gatehouse.bench;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Many simulated agents in one JVM ({@code benchmarks.jar tunnel-fleet HOST:PORT CA_DIR [--serve R]
 * [--threads T]}), driven by {@link TunnelFleetProcess}: each holds its own EC P-256 key and a
 * certificate the cluster CA in {@code CA_DIR} signed here, and keeps one real tunnel ({@link
 * TunnelDialer}, the agent's own code: TLS, upgrade, HTTP/2 with reversed roles, the agent's pings)
 * to the proxy. All tunnels share one Netty event loop group: a simulated agent costs a socket, an
 * SSL engine and a few handlers, not a Vert.x instance. Each answers the proxy's control stream
 * with 200 and, with {@code --serve R}, writes R {@code serve} lines and one {@code writer} line on
 * it, as an agent announcing R static apps would; every other stream is refused.
 *
 * <p>Stdin: {@code open K} makes K more agents (credentials first, timed apart) and dials them, at
 * most {@value #IN_FLIGHT} handshakes at a time, then prints {@code
 * {"event":"opened","agents","failed","credentialsMillis","connectMillis"}}; {@code stop} or the
 * end of stdin closes every tunnel and exits.
 */
final class TunnelFleet {
  /**
   * Dials in flight: enough to keep the proxy's cores busy. More only queues handshakes on this
   * JVM's two event loops, where the pings of tunnels already up wait behind them: with 128, the
   * proxy found tunnels dead (3 s without an answer) during the first, cold burst.
   */
  private static final int IN_FLIGHT = 32;

  private static final int ATTEMPTS = 3;
  private static final Duration LIFETIME = Duration.ofDays(1);

  private final HostPort proxy;
  private final ClusterCa ca;
  private final int serve;
  private final EventLoopGroup group;
  private final Set<Tunnel> tunnels = ConcurrentHashMap.newKeySet();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong redials = new AtomicLong();
  private volatile boolean closing;
  private int agents;

  private TunnelFleet(HostPort proxy, ClusterCa ca, int serve, int threads) {
    this.proxy = proxy;
    this.ca = ca;
    this.serve = serve;
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  static void main(String[] args) throws Exception {
    int serve = 0;
    int threads = 2;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--serve" -> serve = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TunnelFleet fleet =
        new TunnelFleet(HostPort.parse(args[0]), ClusterCa.load(Path.of(args[1])), serve, threads);
    Runtime.getRuntime().addShutdownHook(new Thread(fleet::close, "tunnel-fleet-stop"));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
      if (line.startsWith("open ")) {
        fleet.open(Integer.parseInt(line.substring(5).strip()));
      } else if (line.equals("status")) {
        emit(
            "{\"event\":\"status\",\"agents\":%d,\"tunnels\":%d,\"redials\":%d}",
            fleet.agents, fleet.tunnels.size(), fleet.redials.get());
      }
    }
    fleet.close();
    System.exit(0);
  }

  private void open(int count) throws InterruptedException {
    int first = agents;
    agents += count;
    long started = System.nanoTime();
    // Key generation and signing are the agent's join, not the proxy's cost: timed apart, and
    // done before the first dial so they do not slow the handshakes being measured.
    List<Dialer> dialers =
        IntStream.range(first, first + count)
            .parallel()
            .mapToObj(this::dialer)
            .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    long credentials = System.nanoTime();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Boolean>> results = new ArrayList<>();
    for (Dialer d : dialers) {
      inFlight.acquire();
      CompletableFuture<Boolean> result = d.dial(ATTEMPTS);
      result.whenComplete((ok, e) -> inFlight.release());
      results.add(result);
    }
    long failed = results.stream().filter(r -> !r.join()).count();
    long connected = System.nanoTime();
    emit(
        "{\"event\":\"opened\",\"agents\":%d,\"failed\":%d,\"redials\":%d,\"credentialsMillis\":%.1f,\"connectMillis\":%.1f}",
        tunnels.size(),
        failed,
        redials.get(),
        (credentials - started) / 1e6,
        (connected - credentials) / 1e6);
  }

  private Dialer dialer(int index) {
    String id = "fleet-agent-" + index;
    AgentCredentials credentials = AgentCredentials.issue(ca, id, Set.of("app"), LIFETIME, random);
    TunnelDialer dialer =
        new TunnelDialer(
            group,
            NioSocketChannel::new,
            credentials.clientContext(),
            TunnelSettings.DEFAULTS,
            Duration.ofSeconds(30));
    return new Dialer(index, id, dialer);
  }

  /** One simulated agent's dial, retried on failure (a handshake timed out under the burst). */
  private final class Dialer {
    private final int index;
    private final String id;
    private final TunnelDialer dialer;

    Dialer(int index, String id, TunnelDialer dialer) {
      this.index = index;
      this.id = id;
      this.dialer = dialer;
    }

    /** The proxy closed the tunnel (it found it dead): redial after a pause, as an agent does. */
    private void closed(Tunnel tunnel) {
      if (!tunnels.remove(tunnel) || closing) {
        return;
      }
      redials.incrementAndGet();
      System.err.println("tunnel-fleet: the tunnel of " + id + " closed; redialing");
      long pause = 100 + random.nextInt(1_900);
      group.schedule(() -> dial(ATTEMPTS), pause, TimeUnit.MILLISECONDS);
    }

    CompletableFuture<Boolean> dial(int attempts) {
      return dialer
          .dial(proxy, id, certificate -> {}, stream -> answer(stream, index, id))
          .handle(
              (tunnel, error) -> {
                if (error == null) {
                  tunnels.add(tunnel);
                  tunnel.onClose(() -> closed(tunnel));
                  return CompletableFuture.completedFuture(true);
                }
                if (attempts <= 1) {
                  System.err.println("tunnel-fleet: " + id + ": " + error.getMessage());
                  return CompletableFuture.completedFuture(false);
                }
                return dial(attempts - 1);
              })
          .thenCompose(f -> f);
    }
  }

  private void answer(Http2StreamChannel stream, int index, String id) {
    stream
        .pipeline()
        .addLast(new Http2StreamFrameToHttpObjectCodec(true), new ControlAnswer(index, id));
  }

  /** Answers the proxy's control stream as the agent's relay does; refuses any other stream. */
  private final class ControlAnswer extends ChannelInboundHandlerAdapter {
    private final int index;
    private final String id;

    ControlAnswer(int index, String id) {
      this.index = index;
      this.id = id;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          if (!request.uri().equals(Wire.CONTROL_PATH)) {
            HttpResponse refused =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            ctx.writeAndFlush(refused);
            return;
          }
          HttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          ok.headers().set(Wire.AGENT, id);
          ctx.write(ok);
          if (serve > 0) {
            ctx.write(new DefaultHttpContent(serveLines()));
          }
          ctx.flush();
        }
        // The proxy set and anything else the proxy sends: read and dropped.
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private ByteBuf serveLines() {
      StringBuilder lines = new StringBuilder();
      for (int r = 0; r < serve; r++) {
        lines.append(
            String.format(
                Locale.ROOT,
                "{\"serve\":{\"kind\":\"app\",\"name\":\"fleet-%d-%d\",\"labels\":{},"
                    + "\"uri\":\"http://127.0.0.1:9\",\"origin\":\"static\"}}\n",
                index,
                r));
      }
      lines.append("{\"writer\":true}\n");
      return Unpooled.copiedBuffer(lines, StandardCharsets.UTF_8);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private void close() {
    closing = true;
    tunnels.forEach(Tunnel::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void emit(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
