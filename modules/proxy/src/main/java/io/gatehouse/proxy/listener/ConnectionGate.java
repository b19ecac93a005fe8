package io.gatehouse.proxy.listener;

import io.gatehouse.proxy.config.ListenerLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits connections to the web port within {@link ListenerLimits}, for every server instance of
 * the port (one per event loop) at once. Guarantees:
 *
 * <ul>
 *   <li>no more than {@code max_connections} connections, and no more than {@code
 *       max_connections_per_address} from one address (loopback included), are open past their TLS
 *       handshake: one more is closed at once, without an answer, and counted in {@value
 *       #REFUSED}{@code {reason=total|per-address}}. A connection that became an agent's tunnel or
 *       lane ({@link #trusted}: mutual TLS with a cluster certificate) leaves its address's count,
 *       not the total: agents behind one NAT keep a connection per proxy event loop each, and the
 *       per-address cap is for clients nobody has authenticated;
 *   <li>a connection closes when it has not sent a complete request head within {@code
 *       header_read_timeout} of being admitted, or of its last response ending (HTTP/1.x), or of
 *       its last stream closing (HTTP/2); the TLS handshake before has the same time of its own. A
 *       connection upgraded by a {@code 101} (TCP tunnel, WebSocket, agent tunnel) owes no more
 *       heads;
 *   <li>a connection with no bytes either way for {@code idle_timeout} closes, whatever it carries
 *       (Vert.x's idle handler, which sees every byte, upgraded or not).
 * </ul>
 *
 * Both timeouts are counted in {@value #TIMED_OUT}{@code {timeout=header-read|idle}}. The Netty
 * channel comes from Vert.x's server connection, as Vert.x itself reaches it to add its WebSocket
 * handlers; nothing is parsed here but what Netty's codec decoded. Thread-safe.
 */
public final class ConnectionGate {
  /** Meter of connections closed because a cap was reached; tag {@code reason}. */
  public static final String REFUSED = "gatehouse.proxy.connections.refused";

  /** Meter of connections closed by a timeout; tag {@code timeout}. */
  public static final String TIMED_OUT = "gatehouse.proxy.connections.timed.out";

  /** Gauge of connections admitted and still open. */
  public static final String OPEN = "gatehouse.proxy.connections.open";

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

  /** Where Vert.x's own handler sits in a server connection's pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private static final String HEADS_HANDLER = "gatehouse-heads";

  /** The address a connection is counted against, until it closes or is {@link #trusted}. */
  private static final AttributeKey<String> COUNTED_ADDRESS =
      AttributeKey.valueOf("gatehouse-counted-address");

  private final ListenerLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final Counter refusedTotal;
  private final Counter refusedPerAddress;
  private final Counter headTimeouts;
  private final Counter idleTimeouts;

  public ConnectionGate(ListenerLimits limits, MeterRegistry registry) {
    this.limits = limits;
    // Every tag registered at once, so a scrape shows the meters before the first refusal.
    this.refusedTotal = refused(registry, "total");
    this.refusedPerAddress = refused(registry, "per-address");
    this.headTimeouts = timedOut(registry, "header-read");
    this.idleTimeouts = timedOut(registry, "idle");
    Gauge.builder(OPEN, open, AtomicInteger::get)
        .description("Connections open on the web port, past their TLS handshake")
        .register(registry);
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder(REFUSED)
        .description("Connections to the web port closed at once because a cap was reached")
        .tag("reason", reason)
        .register(registry);
  }

  private static Counter timedOut(MeterRegistry registry, String timeout) {
    return Counter.builder(TIMED_OUT)
        .description("Connections to the web port closed by a timeout")
        .tag("timeout", timeout)
        .register(registry);
  }

  /** {@code options} with the idle timeout and a TLS handshake bounded like a request head. */
  public HttpServerOptions apply(HttpServerOptions options) {
    return options
        .setIdleTimeout((int) limits.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setSslHandshakeTimeout(limits.headerReadTimeout().toMillis())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** The server's connection handler: admits {@code connection} or closes it. */
  public void admit(HttpConnection connection) {
    Channel channel = ((HttpServerConnection) connection).channelHandlerContext().channel();
    String address = address(connection.remoteAddress());
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      refuse(channel, refusedTotal, "the web port holds " + limits.maxConnections(), address);
      return;
    }
    if (!take(address)) {
      open.decrementAndGet();
      refuse(
          channel,
          refusedPerAddress,
          address + " holds " + limits.maxConnectionsPerAddress(),
          address);
      return;
    }
    channel.attr(COUNTED_ADDRESS).set(address);
    // The channel's close, not Vert.x's connection's: an upgrade replaces the connection object.
    channel
        .closeFuture()
        .addListener(
            f -> {
              open.decrementAndGet();
              releaseAddressOf(channel);
            });
    watchHeads(channel.pipeline());
  }

  /**
   * {@code connection} is an agent's tunnel or lane now, authenticated by its cluster certificate:
   * it no longer counts against its address's cap (it still counts in the total). Idempotent.
   */
  public void trusted(HttpConnection connection) {
    releaseAddressOf(((HttpServerConnection) connection).channelHandlerContext().channel());
  }

  private void releaseAddressOf(Channel channel) {
    String address = channel.attr(COUNTED_ADDRESS).getAndSet(null);
    if (address != null) {
      release(address);
    }
  }

  /** Connections admitted and still open. */
  public int open() {
    return open.get();
  }

  private void watchHeads(ChannelPipeline pipeline) {
    long timeoutNanos = limits.headerReadTimeout().toNanos();
    if (pipeline.get(VERTX_HANDLER) instanceof Http2ConnectionHandler h2) {
      Http2Streams streams = new Http2Streams(pipeline.channel(), h2.connection(), timeoutNanos);
      h2.connection().addListener(streams);
      pipeline.addBefore(VERTX_HANDLER, HEADS_HANDLER, new IdleCount(idleTimeouts::increment));
      streams.start();
    } else {
      pipeline.addBefore(
          VERTX_HANDLER,
          HEADS_HANDLER,
          new Http1Heads(timeoutNanos, headTimeouts::increment, idleTimeouts::increment));
    }
  }

  private void refuse(Channel channel, Counter counter, String why, String address) {
    counter.increment();
    LOG.debug("connection from {} refused: {} connections", address, why);
    channel.close();
  }

  /** Counts one more connection of {@code address}; false, counting nothing, at the cap. */
  private boolean take(String address) {
    boolean[] taken = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          int held = n == null ? 0 : n;
          if (held >= limits.maxConnectionsPerAddress()) {
            return n;
          }
          taken[0] = true;
          return held + 1;
        });
    return taken[0];
  }

  private void release(String address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private static String address(SocketAddress remote) {
    if (remote == null) {
      return "unknown";
    }
    String host = remote.hostAddress();
    return host != null ? host : remote.toString();
  }

  /**
   * The header-read deadline of an HTTP/2 connection: running while no stream is open. Netty adds a
   * stream only once its whole header block (HEADERS and every CONTINUATION) has arrived, so a
   * block trickled frame by frame keeps the deadline running.
   */
  private final class Http2Streams extends Http2ConnectionAdapter {
    private final Http2Connection connection;
    private final Deadline deadline;

    Http2Streams(Channel channel, Http2Connection connection, long timeoutNanos) {
      this.connection = connection;
      this.deadline = new Deadline(channel, timeoutNanos, headTimeouts::increment);
    }

    void start() {
      if (connection.numActiveStreams() == 0) {
        deadline.arm();
      }
    }

    @Override
    public void onStreamAdded(Http2Stream stream) {
      deadline.cancel();
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
      if (connection.numActiveStreams() == 0) {
        deadline.arm();
      }
    }
  }
}
