package io.gatehouse.agent.internal.tunnel;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.agent.TunnelRedial;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.agent.internal.relay.RelayServer;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelDialer;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's tunnel to each proxy it knows up: dials, and when a tunnel closes or cannot be
 * opened, dials again after a jittered, growing pause (so a fleet does not return in lock-step
 * after a proxy restart), reset once a tunnel is up. Streams on every tunnel go to the relay. Every
 * proxy address it dials and every address a tunnel connects to goes to the {@link ProxyDirectory},
 * so that no dynamic resource is pointed at a proxy. Thread-safe; {@link #close} stops redialing
 * and closes every tunnel.
 */
public final class ProxyLinks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyLinks.class);

  private final VertxInternal vertx;
  private final String agentId;
  private final TunnelDialer dialer;
  private final RelayServer relay;
  private final RandomGenerator random;
  private final ProxyDirectory proxies;
  private final Map<HostPort, Link> links = new ConcurrentHashMap<>();
  private final Map<EventLoop, ContextInternal> contexts = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile CertificateRenewal renewal;
  private volatile ControlListener listener = ControlListener.NONE;
  private final Set<TunnelStream> controls = ConcurrentHashMap.newKeySet();
  private static final Duration RENEWAL_CHECK = Duration.ofMinutes(1);

  public ProxyLinks(
      VertxInternal vertx,
      String agentId,
      TunnelDialer dialer,
      RelayServer relay,
      RandomGenerator random,
      ProxyDirectory proxies) {
    this.vertx = vertx;
    this.proxies = proxies;
    this.agentId = agentId;
    this.dialer = dialer;
    this.relay = relay;
    this.random = random;
    relay.onControl(this::control);
  }

  /**
   * Reads a proxy's control stream: each line that lists the proxy set makes this agent keep a
   * tunnel to every proxy in it.
   */
  private void control(String proxyId, TunnelStream stream) {
    stream.exceptionHandler(e -> {});
    controls.add(stream);
    ControlListener l = listener;
    l.opened(proxyId, stream);
    stream
        .closeFuture()
        .onComplete(
            v -> {
              controls.remove(stream);
              l.closed(proxyId, stream);
            });
    askForRenewal(stream);
    RecordParser.newDelimited("\n", stream)
        .handler(
            line -> {
              JsonObject message;
              try {
                message = new JsonObject(line);
              } catch (RuntimeException e) {
                LOG.warn(
                    "agent {}: unreadable control line from {}: {}",
                    agentId,
                    proxyId,
                    e.getMessage());
                return;
              }
              if (message.containsKey("certificate") && renewal != null) {
                renewal.accept(message);
                return;
              }
              if (!(message.getValue("proxies") instanceof JsonArray proxies)) {
                l.line(proxyId, stream, message);
                return;
              }
              for (Object p : proxies) {
                if (p instanceof JsonObject proxy) {
                  follow(proxy.getString("id"), proxy.getString("address"));
                }
              }
            });
  }

  /** Who else reads the control streams; set before {@link #follow(HostPort)}. */
  public void onControl(ControlListener listener) {
    this.listener = listener;
  }

  /** Sends a renewal request on {@code stream} when the certificate is due for one. */
  private void askForRenewal(TunnelStream stream) {
    String request = renewal == null ? null : renewal.due();
    if (request != null) {
      stream.write(Buffer.buffer(request));
    }
  }

  /**
   * Renews the agent's certificate over its control streams when due (checked at every tunnel and
   * every minute); {@code credentials} is the certificate it starts with.
   */
  public void renewFrom(AgentCredentials credentials, Path dataDir, Clock clock) {
    this.renewal = new CertificateRenewal(agentId, dataDir, credentials, dialer, clock);
    vertx.setPeriodic(
        RENEWAL_CHECK.toMillis(),
        id -> {
          if (closed) {
            vertx.cancelTimer(id);
            return;
          }
          controls.stream().findFirst().ifPresent(this::askForRenewal);
        });
  }

  /** Keeps a tunnel to proxy {@code proxyId} at {@code address}, unless one is up to it already. */
  private void follow(String proxyId, String address) {
    if (proxyId == null || address == null || connectedIds().contains(proxyId)) {
      return;
    }
    try {
      follow(HostPort.parse(address));
    } catch (RuntimeException e) {
      LOG.warn(
          "agent {}: proxy {} announced an address it cannot dial: {}", agentId, proxyId, address);
    }
  }

  private Set<String> connectedIds() {
    Set<String> ids = new TreeSet<>();
    links
        .values()
        .forEach(
            link -> {
              Tunnel t = link.tunnel;
              if (t != null && t.isOpen() && link.proxyId != null) {
                ids.add(link.proxyId);
              }
            });
    return ids;
  }

  /** Starts keeping a tunnel to {@code proxy}; a no-op if one is kept already. */
  public void follow(HostPort proxy) {
    if (closed) {
      return;
    }
    proxies.dialing(proxy);
    links.computeIfAbsent(proxy, Link::new).dial();
  }

  /** The proxies a tunnel is up to right now, by address. */
  public Set<HostPort> connected() {
    Set<HostPort> out = new TreeSet<>(java.util.Comparator.comparing(HostPort::toString));
    links.forEach(
        (address, link) -> {
          Tunnel t = link.tunnel;
          if (t != null && t.isOpen()) {
            out.add(address);
          }
        });
    return out;
  }

  /** Stops redialing and closes every tunnel (and with them every session). Idempotent. */
  @Override
  public void close() {
    closed = true;
    links.values().forEach(Link::close);
  }

  private void accept(Http2StreamChannel channel, String proxyId) {
    // The first stream of a tunnel is its control stream: the proxy's address is known before
    // any session can point at it.
    if (channel.parent().remoteAddress() instanceof InetSocketAddress remote
        && remote.getAddress() != null) {
      proxies.connectedTo(remote.getAddress());
    }
    // One context per event loop: a stream's handlers run on its tunnel's thread, with no hop.
    ContextInternal context =
        contexts.computeIfAbsent(
            channel.eventLoop(), loop -> vertx.contextBuilder().withEventLoop(loop).build());
    relay.accept(channel, context, proxyId);
  }

  /**
   * The id of the proxy that answered, checking that it is a proxy of this cluster (TLS checked the
   * CA).
   */
  static String proxyIdOf(X509Certificate certificate) {
    CertificateIdentity identity = CertificateIdentity.of(certificate);
    if (identity.role() != CertificateIdentity.Role.PROXY) {
      throw new IllegalStateException(
          "its certificate names "
              + identity.role().word()
              + " "
              + identity.id()
              + ", not a proxy");
    }
    return identity.id();
  }

  /** The tunnel to one proxy address, redialed until closed. */
  private final class Link {
    private final HostPort address;
    private final TunnelRedial redial = new TunnelRedial(random);
    private volatile Tunnel tunnel;
    private volatile String proxyId;
    private boolean dialing;

    Link(HostPort address) {
      this.address = address;
    }

    synchronized void dial() {
      if (dialing || closed || (tunnel != null && tunnel.isOpen())) {
        return;
      }
      dialing = true;
      dialer
          .dial(
              address,
              agentId,
              certificate -> {
                String id = proxyIdOf(certificate);
                // Another address of a proxy already tunneled to (a balancer, an alias): one
                // tunnel per proxy is enough; this one waits and tries again later. This link's
                // own tunnel is closed while it dials, so a tunnel up to this id is another
                // link's, even when this link reached that proxy before: taking it over would make
                // the proxy close the other link's tunnel, which then takes it back, and so on.
                if (connectedIds().contains(id)) {
                  throw new IllegalStateException("already connected to proxy " + id);
                }
                proxyId = id;
              },
              channel -> accept(channel, proxyId))
          .whenComplete(
              (t, error) -> {
                synchronized (this) {
                  dialing = false;
                  if (error != null) {
                    retry(error);
                    return;
                  }
                  tunnel = t;
                  redial.reset();
                }
                LOG.info("agent {}: tunnel to {} is up", agentId, address);
                new TunnelLanes(
                        t,
                        proxyId,
                        address,
                        agentId,
                        dialer,
                        random,
                        vertx.nettyEventLoopGroup(),
                        channel -> accept(channel, proxyId),
                        () -> closed)
                    .start();
                t.onClose(
                    () -> {
                      if (!closed) {
                        LOG.warn("agent {}: tunnel to {} closed; redialing", agentId, address);
                        retry(null);
                      }
                    });
                if (closed) {
                  t.close();
                }
              });
    }

    private void retry(Throwable error) {
      if (closed) {
        return;
      }
      Duration pause;
      synchronized (this) {
        pause = redial.next(error);
      }
      if (error != null) {
        String why = error.getMessage();
        LOG.warn(
            "agent {}: no tunnel to {} ({}); retrying in {} ms",
            agentId,
            address,
            why,
            pause.toMillis());
      }
      vertx.nettyEventLoopGroup().schedule(this::dial, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    void close() {
      Tunnel t = tunnel;
      if (t != null) {
        t.close();
      }
    }
  }
}
