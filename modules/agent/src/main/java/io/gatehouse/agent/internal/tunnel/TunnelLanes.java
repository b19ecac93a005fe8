package io.gatehouse.agent.internal.tunnel;

import io.gatehouse.agent.TunnelRedial;
import io.gatehouse.config.HostPort;
import io.gatehouse.lifecycle.Backoff;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lanes of one main tunnel: the further connections its proxy asked for in its 101 ({@link
 * Tunnel#lanes()}), one per further event loop of the proxy's port, so that each user's session
 * runs on one thread there. Dialed only once the main tunnel is up (this is made from it), and one
 * at a time: the next lane is dialed when the one before is up or given up, so an agent adds one
 * handshake at a time to a proxy that a whole fleet may be reconnecting to. A lane that fails is
 * dialed again after a jittered, growing pause for as long as the main tunnel is up: when it was
 * refused (it landed on a loop this agent covers already) or closed, 50 ms growing to 2 s; when the
 * proxy said it is busy, the main tunnel's pause for that ({@link TunnelRedial}), and that failure
 * does not count towards giving the lane up. The main tunnel's end closes every lane. A lane must
 * reach the same proxy as its main tunnel (checked on its certificate): an address behind a
 * balancer may lead elsewhere.
 */
final class TunnelLanes {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelLanes.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration MAX_RETRY = Duration.ofSeconds(2);

  /**
   * Consecutive failures after which a lane is given up. The proxy's port hands connections to its
   * event loops in turn, so a lane refused for a covered loop lands on another at the next try.
   */
  static final int ATTEMPTS = 10;

  private final Tunnel main;
  private final String proxyId;
  private final HostPort address;
  private final String agentId;
  private final TunnelDialer dialer;
  private final RandomGenerator random;
  private final EventLoopGroup timers;
  private final Consumer<Http2StreamChannel> onStream;
  private final BooleanSupplier stopped;

  /**
   * @param main the main tunnel, to proxy {@code proxyId} at {@code address}
   * @param onStream where every stream the proxy opens on a lane goes
   * @param stopped true once the agent stops redialing
   */
  TunnelLanes(
      Tunnel main,
      String proxyId,
      HostPort address,
      String agentId,
      TunnelDialer dialer,
      RandomGenerator random,
      EventLoopGroup timers,
      Consumer<Http2StreamChannel> onStream,
      BooleanSupplier stopped) {
    this.main = main;
    this.proxyId = proxyId;
    this.address = address;
    this.agentId = agentId;
    this.dialer = dialer;
    this.random = random;
    this.timers = timers;
    this.onStream = onStream;
    this.stopped = stopped;
  }

  /** Dials the lanes the proxy asked for, one after the other; none for the main tunnel only. */
  void start() {
    List<Lane> lanes = new ArrayList<>();
    for (int i = 1; i < main.lanes(); i++) {
      lanes.add(new Lane(lanes));
    }
    // The main tunnel's end takes its lanes with it.
    main.onClose(() -> lanes.forEach(Lane::close));
    if (!lanes.isEmpty()) {
      lanes.get(0).dial();
    }
  }

  /** One lane, redialed while the main tunnel is up. Its state is touched by one dial at a time. */
  private final class Lane {
    private final List<Lane> all;
    private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY, random);
    private final TunnelRedial busy = new TunnelRedial(random);
    private volatile Tunnel tunnel;
    private int failures;
    private boolean settled;

    Lane(List<Lane> all) {
      this.all = all;
    }

    /** This lane is up or given up, the first time: the next one's turn. */
    private void settle() {
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      int next = all.indexOf(this) + 1;
      if (next < all.size()) {
        all.get(next).dial();
      }
    }

    void dial() {
      if (stopped.getAsBoolean() || !main.isOpen()) {
        return;
      }
      dialer
          .dialLane(address, agentId, this::sameProxy, onStream)
          .whenComplete(
              (lane, error) -> {
                if (error != null) {
                  failed(error);
                  return;
                }
                synchronized (this) {
                  backoff.reset();
                  busy.reset();
                  failures = 0;
                }
                tunnel = lane;
                lane.onClose(() -> retry(null));
                settle();
                if (stopped.getAsBoolean() || !main.isOpen()) {
                  lane.close();
                }
              });
    }

    private void sameProxy(java.security.cert.X509Certificate certificate) {
      String id = ProxyLinks.proxyIdOf(certificate);
      if (!id.equals(proxyId)) {
        throw new IllegalStateException(
            "this address now leads to proxy " + id + ", not to " + proxyId + " of the tunnel");
      }
    }

    void close() {
      Tunnel t = tunnel;
      if (t != null) {
        t.close();
      }
    }

    private void failed(Throwable error) {
      if (TunnelRedial.isBusy(error)) {
        LOG.debug("agent {}: proxy {} busy for a lane; dialing again later", agentId, proxyId);
        retry(error);
        return;
      }
      int n;
      synchronized (this) {
        n = ++failures;
      }
      if (n < ATTEMPTS) {
        LOG.debug(
            "agent {}: lane to proxy {} not opened ({}); dialing again",
            agentId,
            proxyId,
            error.getMessage());
        retry(error);
      } else if (main.isOpen() && !stopped.getAsBoolean()) {
        LOG.info(
            "agent {}: giving up a lane to proxy {} after {} attempts ({}); its sessions share the"
                + " main tunnel",
            agentId,
            proxyId,
            n,
            error.getMessage());
        settle();
      }
    }

    private void retry(Throwable error) {
      if (stopped.getAsBoolean() || !main.isOpen()) {
        return;
      }
      Duration pause;
      synchronized (this) {
        pause = TunnelRedial.isBusy(error) ? busy.next(error) : backoff.next();
      }
      timers.schedule(this::dial, pause.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
