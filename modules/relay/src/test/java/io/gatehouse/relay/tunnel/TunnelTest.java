package io.gatehouse.relay.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testkit.Eventually;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two ends of a tunnel over a real loopback connection: the "agent" dials, the "proxy" accepts
 * and opens streams. TLS and the upgrade that precede the tunnel in production are the proxy's and
 * agent's business, tested there.
 */
class TunnelTest {
  /** Quick to declare a silent peer dead; only for the test of that. */
  private static final TunnelSettings FAST = new TunnelSettings(Duration.ofMillis(100), 3, 1 << 20);

  /** The production pace: a loaded build machine must not pass for a frozen peer. */
  private static final TunnelSettings NORMAL = TunnelSettings.DEFAULTS;

  /**
   * The soonest a frozen end may be declared dead: its last word can be up to an interval older
   * than the freeze, and a pinger's check has a quarter interval of slack.
   */
  private static final Duration EARLIEST =
      FAST.deadAfter().minus(FAST.pingInterval().multipliedBy(5).dividedBy(4));

  private VertxInternal vertx;
  private EventLoopGroup loops;
  private EventLoopGroup proxyLoops;
  private EventLoopGroup agentLoops;
  private final List<EventLoopGroup> ownLoops = new ArrayList<>();
  private final CountDownLatch thaw = new CountDownLatch(1);
  private Channel server;
  private final CompletableFuture<Tunnel> proxyEnd = new CompletableFuture<>();
  private Channel agentChannel;
  private final List<TunnelStream> agentStreams = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = (VertxInternal) Vertx.vertx();
    loops = vertx.nettyEventLoopGroup();
    proxyLoops = loops;
    agentLoops = loops;
  }

  @AfterEach
  void stop() throws Exception {
    thaw.countDown();
    if (agentChannel != null) {
      agentChannel.close().sync();
    }
    if (server != null) {
      server.close().sync();
    }
    for (EventLoopGroup group : ownLoops) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A single loop of its own for one end, so that a test can freeze that end alone. */
  private EventLoopGroup ownLoop() {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ownLoops.add(group);
    return group;
  }

  /**
   * Holds {@code group}'s one thread until the test ends, as SIGSTOP would hold a process: its
   * connections read nothing, write nothing, and run no timer. Returns when that began.
   */
  private long freeze(EventLoopGroup group) throws Exception {
    CountDownLatch frozen = new CountDownLatch(1);
    group.execute(
        () -> {
          frozen.countDown();
          try {
            thaw.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(frozen.await(5, TimeUnit.SECONDS)).isTrue();
    return System.nanoTime();
  }

  /** Counts the PING frames an end receives, and passes them on. */
  private static final class PingCounter extends ChannelInboundHandlerAdapter {
    final AtomicInteger pings = new AtomicInteger();
    final AtomicInteger acks = new AtomicInteger();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2PingFrame ping) {
        (ping.ack() ? acks : pings).incrementAndGet();
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Starts both ends; the agent's streams echo what they receive after a 200. */
  private Tunnel connect(TunnelSettings agentSettings) throws Exception {
    return connect(NORMAL, agentSettings);
  }

  private Tunnel connect(TunnelSettings proxySettings, TunnelSettings agentSettings)
      throws Exception {
    server =
        new ServerBootstrap()
            .group(proxyLoops)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    proxyEnd.complete(
                        Tunnel.proxyEnd(ch.pipeline(), null, proxySettings, "agent-a"));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    agentChannel =
        new Bootstrap()
            .group(agentLoops)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    Tunnel.agentEnd(
                        ch.pipeline(), agentSettings, "proxy-1", 1, TunnelTest.this::echo);
                  }
                })
            .connect(server.localAddress())
            .sync()
            .channel();
    return proxyEnd.get(5, TimeUnit.SECONDS);
  }

  /** The agent's side in these tests: answers 200 (with the path in a header) and echoes. */
  private void echo(Http2StreamChannel channel) {
    ContextInternal context = vertx.contextBuilder().withEventLoop(channel.eventLoop()).build();
    TunnelStream stream = Tunnel.accept(channel, context);
    agentStreams.add(stream);
    stream
        .head()
        .onSuccess(
            head -> {
              HttpRequest request = (HttpRequest) head;
              HttpResponse response =
                  new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
              response.headers().set("x-echo-path", request.uri());
              stream.writeHead(response);
              stream.pipeTo(stream);
            });
  }

  private ContextInternal proxyContext() {
    return vertx.createEventLoopContext();
  }

  private static HttpRequest post(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Collects a stream's body as it arrives. */
  private static CompletableFuture<Buffer> body(ContextInternal context, TunnelStream stream) {
    CompletableFuture<Buffer> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          Buffer all = Buffer.buffer();
          stream.exceptionHandler(done::completeExceptionally);
          stream.endHandler(e -> done.complete(all));
          stream.handler(all::appendBuffer);
        });
    return done;
  }

  @Test
  void aRequestAndItsResponseCrossTheTunnel() throws Exception {
    Tunnel tunnel = connect(NORMAL);
    ContextInternal context = proxyContext();
    TunnelStream stream = await(tunnel.open(context));
    CompletableFuture<Buffer> body = body(context, stream);

    stream.writeHead(post("/hello?x=1"));
    stream.write(Buffer.buffer("hello, "));
    stream.end(Buffer.buffer("agent"));
    HttpMessage head = await(stream.head());

    assertThat(((HttpResponse) head).status().code()).isEqualTo(200);
    assertThat(head.headers().get("x-echo-path")).isEqualTo("/hello?x=1");
    assertThat(body.get(10, TimeUnit.SECONDS).toString()).isEqualTo("hello, agent");
  }

  @Test
  void manySessionsShareOneConnection() throws Exception {
    Tunnel tunnel = connect(NORMAL);
    ContextInternal context = proxyContext();
    List<CompletableFuture<Buffer>> bodies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      TunnelStream stream = await(tunnel.open(context));
      bodies.add(body(context, stream));
      stream.writeHead(post("/" + i));
      stream.end(Buffer.buffer("session " + i));
    }
    for (int i = 0; i < bodies.size(); i++) {
      assertThat(bodies.get(i).get(10, TimeUnit.SECONDS).toString()).isEqualTo("session " + i);
    }
    assertThat(agentStreams).hasSize(200);
  }

  @Test
  void aSlowReaderHoldsTheSenderBackAndLosesNothing() throws Exception {
    Tunnel tunnel = connect(NORMAL);
    ContextInternal context = proxyContext();
    TunnelStream stream = await(tunnel.open(context));
    stream.pause();
    CompletableFuture<Buffer> body = body(context, stream);
    context.runOnContext(v -> stream.pause());
    stream.writeHead(post("/bulk"));
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) i;
    }
    AtomicReference<Integer> written = new AtomicReference<>(0);
    CompletableFuture<Void> full = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          // Write until the tunnel says stop: the echo cannot go on while nobody reads it back.
          while (!stream.writeQueueFull() && written.get() < 4096) {
            stream.write(Buffer.buffer(chunk));
            written.set(written.get() + 1);
          }
          full.complete(null);
        });
    full.get(10, TimeUnit.SECONDS);
    int chunks = written.get();
    assertThat(chunks).as("chunks written before the window was used up").isLessThan(4096);

    context.runOnContext(
        v -> {
          stream.end();
          stream.resume();
        });

    Buffer echoed = body.get(20, TimeUnit.SECONDS);
    assertThat(echoed.length()).isEqualTo(chunks * chunk.length);
    assertThat(echoed.getBytes(echoed.length() - chunk.length, echoed.length())).isEqualTo(chunk);
  }

  @Test
  void onlyTheAgentPingsAndAnIdleTunnelStaysUp() throws Exception {
    Tunnel tunnel = connect(FAST, FAST);
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> agentChannel.pipeline().get("tunnel-liveness") != null);
    PingCounter agentSees = new PingCounter();
    agentChannel.pipeline().addBefore("tunnel-liveness", "ping-counter", agentSees);

    // Twice the silence that would close it: the proxy hears the agent's pings and stays quiet.
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> agentSees.acks.get() >= 2 * FAST.missedPings());

    assertThat(tunnel.isOpen()).isTrue();
    assertThat(agentChannel.isActive()).isTrue();
    assertThat(agentSees.pings.get()).as("pings the proxy sent").isZero();
  }

  @Test
  void aFrozenAgentIsDeclaredDeadByTheProxyAfterThreeSilentIntervals() throws Exception {
    agentLoops = ownLoop();
    Tunnel tunnel = connect(FAST, FAST);
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> agentChannel.pipeline().get("tunnel-liveness") != null);

    // A stopped process: the agent neither reads nor writes, so its pings stop.
    long frozenAt = freeze(agentLoops);

    Eventually.within(Duration.ofSeconds(5)).until(() -> !tunnel.isOpen());
    assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isGreaterThanOrEqualTo(EARLIEST);
  }

  @Test
  void aFrozenProxyIsDeclaredDeadByTheAgentAfterThreeUnansweredPings() throws Exception {
    proxyLoops = ownLoop();
    Tunnel tunnel = connect(FAST, FAST);
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> agentChannel.pipeline().get("tunnel-liveness") != null);

    // A stopped proxy: nothing the agent sends is read, so no ping is acknowledged.
    long frozenAt = freeze(proxyLoops);

    Eventually.within(Duration.ofSeconds(5)).until(() -> !agentChannel.isActive());
    assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isGreaterThanOrEqualTo(EARLIEST);
    assertThat(tunnel.peer()).isEqualTo("agent-a");
  }

  @Test
  void aClosedTunnelFailsItsOpenStreamsAndRefusesNewOnes() throws Exception {
    Tunnel tunnel = connect(NORMAL);
    ContextInternal context = proxyContext();
    TunnelStream stream = await(tunnel.open(context));
    CompletableFuture<Buffer> body = body(context, stream);
    stream.writeHead(post("/long"));
    Eventually.within(Duration.ofSeconds(5)).until(() -> agentStreams.size() == 1);

    agentChannel.close().sync();

    assertThat(body).failsWithin(Duration.ofSeconds(5));
    Eventually.within(Duration.ofSeconds(5)).until(() -> !tunnel.isOpen());
    assertThat(tunnel.open(context).toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(5));
  }
}
