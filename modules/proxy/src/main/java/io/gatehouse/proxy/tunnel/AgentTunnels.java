package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.Lock;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ErrorResponse;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.relay.tunnel.TunnelUpgrade;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents connected to this proxy, one tunnel each: what routing asks to know whether an agent
 * can take a session here, at once and without Kafka. An agent is accepted only over TLS with a
 * certificate from the cluster CA that names it as an agent (the handshake checked the CA; this
 * checks the role). A second tunnel from the same agent replaces the first (a reconnect that came
 * before the old connection was found dead). A tunnel that closes, or stops answering pings, is
 * gone from the registry the moment its connection is. Thread-safe.
 */
public final class AgentTunnels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentTunnels.class);

  private final String proxyId;
  private final TunnelSettings settings;
  private final Clock clock;
  private final Map<String, Connected> tunnels = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();
  private final ControlStream.Services control;
  private final Locks locks;

  /**
   * One agent's tunnel.
   *
   * @param tunnel the connection
   * @param kinds the resource kinds its certificate allows it to serve
   * @param since when it connected
   * @param remote the agent's address as this proxy sees it
   */
  public record Connected(Tunnel tunnel, Set<String> kinds, Instant since, String remote) {}

  /**
   * @param control what each tunnel's control stream serves (proxy set, renewals, heartbeats,
   *     definitions); null opens no control stream (tests)
   * @param locks locked agents are refused, and a lock drops the agent's tunnel; null locks no one
   *     (tests)
   */
  public AgentTunnels(
      String proxyId,
      TunnelSettings settings,
      Clock clock,
      ControlStream.Services control,
      Locks locks) {
    this.proxyId = proxyId;
    this.settings = settings;
    this.clock = clock;
    this.control = control;
    this.locks = locks;
    if (locks != null) {
      locks.onLock(this::drop);
    }
  }

  /** A new lock on an agent closes its tunnel here (and with it every session on it). */
  private void drop(Lock lock) {
    if (!lock.getTarget().startsWith(Locks.AGENT)) {
      return;
    }
    String agentId = lock.getTarget().substring(Locks.AGENT.length());
    Connected c = tunnels.get(agentId);
    if (c != null) {
      LOG.warn(
          "proxy {}: dropping the tunnel of agent {}: {}", proxyId, agentId, Locks.describe(lock));
      c.tunnel().close();
    }
  }

  /**
   * Answers an agent's {@code GET /v1/agent/tunnel}: checks its certificate and upgrades the
   * connection into its tunnel, or refuses with 400 (not an upgrade), 401 (no certificate) or 403
   * (a certificate that does not name an agent).
   */
  public void accept(HttpServerRequest request) {
    if (!TunnelUpgrade.isRequested(request)) {
      ErrorResponse.send(
          request,
          ErrorCode.BAD_REQUEST,
          null,
          "an agent tunnel is GET /v1/agent/tunnel with Connection: Upgrade and Upgrade: "
              + io.gatehouse.relay.Wire.AGENT_TUNNEL_PROTOCOL);
      return;
    }
    CertificateIdentity identity;
    try {
      identity = identity(request);
    } catch (SSLPeerUnverifiedException e) {
      ErrorResponse.send(
          request,
          401,
          "unauthenticated",
          null,
          "an agent tunnel needs the agent's certificate from the cluster CA (mutual TLS)");
      return;
    } catch (PkiException e) {
      ErrorResponse.send(request, 403, "access-denied", null, e.getMessage());
      return;
    }
    if (identity.role() != CertificateIdentity.Role.AGENT) {
      ErrorResponse.send(
          request,
          403,
          "access-denied",
          null,
          "the certificate names "
              + identity.role().word()
              + " "
              + identity.id()
              + ", not an agent");
      return;
    }
    String agentId = identity.id();
    Optional<Lock> lock = locks == null ? Optional.empty() : locks.agent(agentId);
    if (lock.isPresent()) {
      ErrorResponse.send(request, 403, "locked", null, Locks.describe(lock.get()));
      return;
    }
    String remote =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().toString();
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    TunnelUpgrade.accept(request, settings, agentId)
        .onSuccess(
            tunnel -> {
              register(agentId, identity.kinds(), tunnel, remote);
              if (control != null) {
                ControlStream.open(
                    tunnel, context, proxyId, control, agentId, identity.kinds(), remote);
              }
            })
        .onFailure(
            e -> LOG.warn("tunnel from agent {} failed to open: {}", agentId, e.getMessage()));
  }

  private static CertificateIdentity identity(HttpServerRequest request)
      throws SSLPeerUnverifiedException {
    if (!request.isSSL()) {
      throw new SSLPeerUnverifiedException("not TLS");
    }
    List<Certificate> chain = request.connection().peerCertificates();
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
      throw new SSLPeerUnverifiedException("no client certificate");
    }
    return CertificateIdentity.of(leaf);
  }

  private void register(String agentId, Set<String> kinds, Tunnel tunnel, String remote) {
    Connected connected = new Connected(tunnel, kinds, clock.instant(), remote);
    Connected previous = tunnels.put(agentId, connected);
    changes.incrementAndGet();
    if (previous != null) {
      previous.tunnel().close();
    }
    LOG.info("proxy {}: agent {} connected from {}", proxyId, agentId, remote);
    tunnel.onClose(
        () -> {
          if (tunnels.remove(agentId, connected)) {
            changes.incrementAndGet();
            LOG.info("proxy {}: agent {} disconnected", proxyId, agentId);
          }
        });
  }

  /** The tunnel of {@code agentId}, if it is connected here. */
  public Optional<Connected> get(String agentId) {
    Connected c = tunnels.get(agentId);
    return c != null && c.tunnel().isOpen() ? Optional.of(c) : Optional.empty();
  }

  /** Whether {@code agentId} has a live tunnel to this proxy. */
  public boolean isConnected(String agentId) {
    return get(agentId).isPresent();
  }

  /** The agents connected here, sorted. */
  public Set<String> connected() {
    return new TreeSet<>(tunnels.keySet());
  }

  /** A number that changes whenever an agent connects or disconnects. */
  public long version() {
    return changes.get();
  }

  /** Closes every tunnel. */
  @Override
  public void close() {
    tunnels.values().forEach(c -> c.tunnel().close());
  }
}
