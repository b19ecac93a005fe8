package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.agent.TunnelRedial;
import io.gatehouse.config.HostPort;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.proxy.tunnel.HandshakeGate;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A proxy takes a storm of agents' handshakes within its bound and sheds the rest at their
 * ClientHello, in a way agents recognise and answer by coming back later: real proxies, real TLS,
 * many real tunnel clients (the agent's own {@link TunnelDialer} and {@link TunnelRedial}, sharing
 * one event loop group), a real agent, and users over TLS at the same time.
 */
class ReconnectStormIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  /** Agents of the storm; a few times what the storm proxy takes at once. */
  private static final int FLEET = 40;

  private static final Duration STORM_WAIT = Duration.ofSeconds(60);

  /** The first proxy, which the real agent dials: one agent handshake at a time. */
  private static Proxy narrow;

  private static int upstreamPort;

  @BeforeAll
  static void start() {
    narrow = cluster.proxy("proxy-narrow", "limits: { max_agent_handshakes: 1 }");
    HttpServer upstream = web.upstream(req -> req.response().end("storm ok"));
    upstreamPort = upstream.actualPort();
  }

  @Test
  void aFleetDialingAtOnceIsShedBeyondTheBoundAndAllComeBackWhileUsersAreServed() throws Exception {
    Proxy proxy = cluster.proxy("proxy-storm", "limits: { max_agent_handshakes: 2 }");
    Vertx vertx = Vertx.vertx();
    cluster.adopt(() -> Web.await(vertx.close()));
    EventLoopGroup loops = ((VertxInternal) vertx).nettyEventLoopGroup();
    List<StormAgent> fleet =
        IntStream.range(0, FLEET)
            .parallel()
            .mapToObj(i -> new StormAgent("storm-" + i, proxy.webAddress(), vertx, loops))
            .toList();

    fleet.forEach(StormAgent::dial);
    // Users' handshakes are neither counted nor refused, however many agents wait.
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      users.add(healthz(proxy.webAddress()));
    }

    Eventually.within(STORM_WAIT).until(() -> fleet.stream().allMatch(StormAgent::isUp));
    assertThat(users).allMatch(status -> status.startsWith("HTTP/1.1 200"), "every user served");
    Eventually.within(WAIT).until(() -> alive(proxy.meterRegistry()) == FLEET);

    double shed = shed(proxy.meterRegistry());
    int busy = fleet.stream().mapToInt(a -> a.busy.get()).sum();
    assertThat(shed).as("handshakes shed by the proxy").isPositive();
    assertThat(busy).as("dials the agents took as busy: every one shed").isEqualTo((int) shed);
    assertThat(fleet.stream().mapToInt(a -> a.otherFailures.get()).sum())
        .as("dials that failed otherwise")
        .isZero();
    assertThat(proxy.handshakes().peak()).as("agent handshakes in flight at once").isBetween(1, 2);
    Eventually.within(WAIT).until(() -> proxy.handshakes().inFlight() == 0);
    fleet.forEach(StormAgent::close);
  }

  @Test
  void anAgentShedByABusyProxyBacksOffAndConnectsOnceTheProxyHasRoom() throws Exception {
    double shedBefore = shed(narrow.meterRegistry());
    // A client that sends its ClientHello and no more holds the narrow proxy's one slot.
    try (Socket holder = new Socket(narrow.webAddress().host(), narrow.webAddress().port())) {
      holder.getOutputStream().write(clientHello(Wire.TUNNEL_SERVER_NAME));
      holder.getOutputStream().flush();
      Eventually.within(WAIT).until(() -> narrow.handshakes().inFlight() == 1);

      cluster.app("storm-agent", "stormy", upstreamPort);
      Eventually.within(WAIT).until(() -> shed(narrow.meterRegistry()) > shedBefore);
      assertThat(healthz(narrow.webAddress())).startsWith("HTTP/1.1 200");
      assertThat(narrow.handshakes().inFlight()).isEqualTo(1);
    }
    // The holder's end frees its slot; the agent's next dial gets it.
    cluster.awaitHealthy(narrow.webAddress(), "app", "stormy", 1);
    // Its lanes follow, through the same gate.
    int lanes = ProxyConfig.DEFAULT_TUNNEL_LANES - 1;
    Eventually.within(WAIT).until(() -> lanes(narrow.meterRegistry()) == lanes);
    Eventually.within(WAIT).until(() -> narrow.handshakes().inFlight() == 0);
    assertThat(narrow.handshakes().peak()).isEqualTo(1);
  }

  /** The first flight of a TLS 1.3 client asking for {@code serverName}. */
  private static byte[] clientHello(String serverName) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, null, null);
    SSLEngine engine = context.createSSLEngine(serverName, 443);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(serverName)));
    engine.setSSLParameters(parameters);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.beginHandshake();
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  /** {@code GET /healthz} on a user's TLS connection of its own: the status line. */
  private static String healthz(HostPort proxy) throws Exception {
    return web.statusOnNewConnection(proxy, "localhost", "/healthz", null);
  }

  private static double shed(MeterRegistry registry) {
    return registry.get(HandshakeGate.SHED).counter().count();
  }

  private static double lanes(MeterRegistry registry) {
    return registry.get("gatehouse.tunnel.lanes").gauge().value();
  }

  private static double alive(MeterRegistry registry) {
    return registry.get("gatehouse.agents.alive").gauge().value();
  }

  /** A tunnel client as an agent's: dials, and on failure dials again after its redial pause. */
  private static final class StormAgent {
    private final String id;
    private final HostPort proxy;
    private final TunnelDialer dialer;
    private final EventLoopGroup loops;
    private final TunnelRedial redial = new TunnelRedial(new SecureRandom());
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger otherFailures = new AtomicInteger();
    private volatile Tunnel tunnel;

    StormAgent(String id, HostPort proxy, Vertx vertx, EventLoopGroup loops) {
      this.id = id;
      this.proxy = proxy;
      this.loops = loops;
      AgentCredentials credentials =
          AgentCredentials.issue(
              cluster.ca(), id, Set.of("app"), Duration.ofHours(1), new SecureRandom());
      this.dialer =
          new TunnelDialer(
              loops,
              ((VertxInternal) vertx).transport().channelFactory(false),
              credentials.clientContext(),
              TunnelSettings.DEFAULTS,
              Duration.ofSeconds(5));
    }

    void dial() {
      dialer
          .dial(proxy, id, certificate -> {}, StormAgent::answer)
          .whenComplete(
              (t, error) -> {
                if (error == null) {
                  tunnel = t;
                  return;
                }
                (TunnelRedial.isBusy(error) ? busy : otherFailures).incrementAndGet();
                long pause;
                synchronized (this) {
                  pause = redial.next(error).toMillis();
                }
                loops.schedule(this::dial, pause, TimeUnit.MILLISECONDS);
              });
    }

    boolean isUp() {
      Tunnel t = tunnel;
      return t != null && t.isOpen();
    }

    void close() {
      Tunnel t = tunnel;
      if (t != null) {
        t.close();
      }
    }

    /** Answers the proxy's control stream 200, as an agent's relay does, and drops the rest. */
    private static void answer(Http2StreamChannel stream) {
      stream
          .pipeline()
          .addLast(
              new Http2StreamFrameToHttpObjectCodec(true),
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  try {
                    if (msg instanceof HttpRequest) {
                      // The control stream stays open: a head, no end.
                      ctx.writeAndFlush(
                          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                    }
                  } finally {
                    ReferenceCountUtil.release(msg);
                  }
                }
              });
    }
  }
}
