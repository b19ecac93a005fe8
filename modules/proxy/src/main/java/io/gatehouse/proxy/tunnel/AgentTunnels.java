package io.gatehouse.proxy.tunnel;

import io.gatehouse.events.Lock;
import io.gatehouse.pki.CertificateIdentity;
import io.gatehouse.pki.PkiException;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.TargetHealth;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ErrorResponse;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.relay.tunnel.TunnelUpgrade;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents connected to this proxy, one main tunnel each: what routing asks to know whether an
 * agent can take a session here, at once and without Kafka. An agent is accepted only over TLS with
 * a certificate from the cluster CA that names it as an agent (the handshake checked the CA; this
 * checks the role). A second main tunnel from the same agent replaces the first (a reconnect that
 * came before the old connection was found dead). A tunnel that closes, or stops answering pings,
 * is gone from the registry the moment its connection is.
 *
 * <p>Next to its main tunnel an agent keeps <em>lanes</em>: more connections to this proxy, one per
 * event loop of the proxy's port (the proxy says how many in its 101), each carrying only session
 * streams. A session's stream goes on the agent's connection that runs on the same event loop as
 * the user's connection, so its bytes cross no thread here; without such a lane, on the main
 * tunnel. A lane landing on a loop the agent covers already is refused ({@code lane-refused}), and
 * the agent dials again: the port hands connections to its loops in turn. Lanes live and die with
 * their main tunnel.
 *
 * <p>Each change is recorded on {@code gatehouse.tunnels} (a record when a tunnel opens or its
 * state changes, a tombstone when it closes and no newer tunnel of the agent replaced it), written
 * in the same atomic step as the change, so the topic's last record of an agent here is the
 * registry's. Thread-safe.
 */
public final class AgentTunnels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentTunnels.class);

  /** The state of an agent that takes new sessions. */
  public static final String SERVING = "serving";

  /**
   * The state of an agent that said it is shutting down: it finishes sessions, takes no new one.
   */
  public static final String DRAINING = "draining";

  /** How an agent names itself and its version in its upgrade request's User-Agent. */
  private static final String AGENT_PRODUCT = "gatehouse-agent/";

  private final String proxyId;
  private final TunnelSettings settings;
  private final int lanes;
  private final Clock clock;
  private final Map<String, Connected> tunnels = new ConcurrentHashMap<>();

  /** The control stream of each tunnel, once it is open: where drain requests go. */
  private final Map<Tunnel, ControlStream> controls = new ConcurrentHashMap<>();

  /** Drain requests made here and not yet confirmed, by the tunnel they went down. */
  private final Map<Tunnel, CompletableFuture<Connected>> drains = new ConcurrentHashMap<>();

  private final AtomicLong changes = new AtomicLong();
  private final ControlStream.Services control;
  private final Locks locks;
  private final PresenceWriter presence;
  private final Consumer<HttpConnection> trusted;

  /**
   * One agent's tunnel.
   *
   * @param tunnel the connection
   * @param kinds the resource kinds its certificate allows it to serve
   * @param since when it connected
   * @param remote the agent's address as this proxy sees it
   * @param state {@link #SERVING} or {@link #DRAINING}
   * @param version the Gatehouse version the agent runs, or null when it did not say
   * @param targets what the agent said on this tunnel's control stream of each served resource's
   *     upstream, by {@code kind/name}, kept current as it says more; read-only
   * @param sessions while draining, the sessions still open on the agent as it last said; -1 when
   *     it did not say
   * @param lanes the agent's other connections to this proxy, each on another event loop than the
   *     main tunnel's; read-only
   */
  public record Connected(
      Tunnel tunnel,
      Set<String> kinds,
      Instant since,
      String remote,
      String state,
      String version,
      Map<String, TargetHealth> targets,
      int sessions,
      List<Tunnel> lanes) {
    /** Whether the agent said it is shutting down. */
    public boolean draining() {
      return DRAINING.equals(state);
    }

    /**
     * Where to open a session's stream from {@code loop}: the agent's connection that runs on that
     * loop, so the stream's bytes cross no thread, else its main tunnel.
     */
    public Tunnel tunnelFor(EventExecutor loop) {
      if (tunnel.runsOn(loop)) {
        return tunnel;
      }
      for (Tunnel lane : lanes) {
        if (lane.runsOn(loop) && lane.isOpen()) {
          return lane;
        }
      }
      return tunnel;
    }

    /** Whether the main tunnel or a lane of the agent runs on {@code loop}. */
    boolean covers(EventExecutor loop) {
      return tunnel.runsOn(loop) || lanes.stream().anyMatch(l -> l.runsOn(loop));
    }

    Connected draining(int sessions) {
      return new Connected(
          tunnel, kinds, since, remote, DRAINING, version, targets, sessions, lanes);
    }

    Connected withLanes(List<Tunnel> lanes) {
      return new Connected(
          tunnel, kinds, since, remote, state, version, targets, sessions, List.copyOf(lanes));
    }
  }

  /**
   * @param control what each tunnel's control stream serves (proxy set, renewals, heartbeats,
   *     definitions); null opens no control stream (tests)
   * @param locks locked agents are refused, and a lock drops the agent's tunnel; null locks no one
   *     (tests)
   * @param publisher where presence on {@code gatehouse.tunnels} is written; null writes none
   * @param lanes how many connections each agent should keep to this proxy, its main tunnel
   *     included: the port's event loops (1: the main tunnel only)
   * @param trusted told of every connection that became an agent's tunnel or lane (the port's
   *     per-address cap lets it go); null tells no one
   */
  public AgentTunnels(
      String proxyId,
      TunnelSettings settings,
      int lanes,
      Clock clock,
      ControlStream.Services control,
      Locks locks,
      EventPublisher publisher,
      Consumer<HttpConnection> trusted) {
    this.proxyId = proxyId;
    this.trusted = trusted == null ? c -> {} : trusted;
    this.presence = new PresenceWriter(proxyId, publisher);
    this.settings = settings;
    if (lanes < 1 || lanes > Wire.MAX_LANES) {
      throw new IllegalArgumentException("lanes must be 1 to " + Wire.MAX_LANES + ": " + lanes);
    }
    this.lanes = lanes;
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
              + Wire.AGENT_TUNNEL_PROTOCOL);
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
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    if (Wire.LANE.equalsIgnoreCase(request.getHeader(Wire.TUNNEL_LANE))) {
      acceptLane(request, agentId, context.nettyEventLoop());
      return;
    }
    String remote =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().toString();
    String version = agentVersion(request.getHeader(HttpHeaders.USER_AGENT));
    if (lanes > 1) {
      request.response().putHeader(Wire.TUNNEL_LANES, Integer.toString(lanes));
    }
    HttpConnection connection = request.connection();
    TunnelUpgrade.accept(request, settings, agentId)
        .onSuccess(
            tunnel -> {
              trusted.accept(connection);
              Map<String, TargetHealth> targets = new ConcurrentHashMap<>();
              register(agentId, identity.kinds(), tunnel, remote, version, targets);
              if (control != null) {
                ControlStream.open(
                        tunnel,
                        context,
                        proxyId,
                        control,
                        new ControlStream.Agent(agentId, identity.kinds(), remote, targets),
                        sessions -> draining(agentId, tunnel, sessions))
                    .onSuccess(
                        stream -> {
                          controls.put(tunnel, stream);
                          if (!tunnel.isOpen()) {
                            controls.remove(tunnel);
                          }
                        });
              }
            })
        .onFailure(
            e -> LOG.warn("tunnel from agent {} failed to open: {}", agentId, e.getMessage()));
  }

  /**
   * Upgrades a lane of {@code agentId} arriving on {@code loop}, or refuses it with {@code
   * lane-refused} when the agent has no main tunnel here, covers this loop already, or has all its
   * lanes.
   */
  private void acceptLane(HttpServerRequest request, String agentId, EventExecutor loop) {
    Connected main = get(agentId).orElse(null);
    String refusal =
        main == null
            ? "agent " + agentId + " has no main tunnel to proxy " + proxyId + " to add a lane to"
            : main.covers(loop)
                ? "this event loop of proxy "
                    + proxyId
                    + " has a connection of agent "
                    + agentId
                    + " already; dial again"
                : main.lanes().size() + 1 >= lanes
                    ? "agent " + agentId + " has all its " + lanes + " lanes to proxy " + proxyId
                    : null;
    if (refusal != null) {
      ErrorResponse.send(request, ErrorCode.LANE_REFUSED, null, refusal);
      return;
    }
    HttpConnection connection = request.connection();
    TunnelUpgrade.accept(request, settings, agentId)
        .onSuccess(
            lane -> {
              trusted.accept(connection);
              addLane(agentId, main.tunnel(), lane, loop);
            })
        .onFailure(
            e -> LOG.debug("lane from agent {} failed to open: {}", agentId, e.getMessage()));
  }

  /** Adds {@code lane} to the agent's connections, unless its main tunnel changed meanwhile. */
  private void addLane(String agentId, Tunnel main, Tunnel lane, EventExecutor loop) {
    boolean[] added = {false};
    tunnels.computeIfPresent(
        agentId,
        (id, current) -> {
          if (current.tunnel() != main
              || !main.isOpen()
              || current.covers(loop)
              || current.lanes().size() + 1 >= lanes) {
            return current;
          }
          added[0] = true;
          List<Tunnel> more = new ArrayList<>(current.lanes());
          more.add(lane);
          return current.withLanes(more);
        });
    if (!added[0]) {
      lane.close();
      return;
    }
    lane.onClose(
        () ->
            tunnels.computeIfPresent(
                agentId,
                (id, current) -> {
                  if (!current.lanes().contains(lane)) {
                    return current;
                  }
                  List<Tunnel> fewer = new ArrayList<>(current.lanes());
                  fewer.remove(lane);
                  return current.withLanes(fewer);
                }));
    // Closed between the look and the add: the listener above may have missed it.
    if (!main.isOpen()) {
      lane.close();
    }
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

  /** {@code gatehouse-agent/2.0.0 …} gives {@code 2.0.0}; anything else, null. */
  static String agentVersion(String userAgent) {
    if (userAgent == null || !userAgent.startsWith(AGENT_PRODUCT)) {
      return null;
    }
    String version = userAgent.substring(AGENT_PRODUCT.length()).split(" ", 2)[0];
    return version.isEmpty() || version.length() > 64 ? null : version;
  }

  private void register(
      String agentId,
      Set<String> kinds,
      Tunnel tunnel,
      String remote,
      String version,
      Map<String, TargetHealth> targets) {
    Connected connected =
        new Connected(
            tunnel,
            kinds,
            clock.instant(),
            remote,
            SERVING,
            version,
            Collections.unmodifiableMap(targets),
            -1,
            List.of());
    Connected[] previous = new Connected[1];
    tunnels.compute(
        agentId,
        (id, before) -> {
          previous[0] = before;
          presence.connected(id, connected);
          return connected;
        });
    changes.incrementAndGet();
    if (previous[0] != null) {
      previous[0].tunnel().close();
      previous[0].lanes().forEach(Tunnel::close);
    }
    LOG.info("proxy {}: agent {} connected from {}", proxyId, agentId, remote);
    tunnel.onClose(() -> unregister(agentId, tunnel));
  }

  /** The tunnel closed: forget it, unless a newer tunnel of the agent replaced it already. */
  private void unregister(String agentId, Tunnel tunnel) {
    Connected[] removed = {null};
    tunnels.computeIfPresent(
        agentId,
        (id, current) -> {
          if (current.tunnel() != tunnel) {
            return current;
          }
          removed[0] = current;
          presence.disconnected(id);
          return null;
        });
    if (removed[0] != null) {
      removed[0].lanes().forEach(Tunnel::close);
    }
    controls.remove(tunnel);
    CompletableFuture<Connected> drain = drains.remove(tunnel);
    if (drain != null) {
      // Gone before it said so on this tunnel: an agent that stopped is drained.
      drain.complete(null);
    }
    if (removed[0] != null) {
      changes.incrementAndGet();
      LOG.info("proxy {}: agent {} disconnected", proxyId, agentId);
    }
  }

  /**
   * Asks agent {@code agentId} to drain and stop ({@code {"drain":true}} on its control stream
   * here). Empty when it has no tunnel here with an open control stream. Otherwise completes once
   * the agent said on this tunnel that it is draining, with its tunnel then, or with null when the
   * tunnel closed first (the agent stopped). An agent already draining completes at once.
   */
  public Optional<CompletableFuture<Connected>> drain(String agentId) {
    Connected c = get(agentId).orElse(null);
    ControlStream stream = c == null ? null : controls.get(c.tunnel());
    if (stream == null) {
      return Optional.empty();
    }
    if (c.draining()) {
      return Optional.of(CompletableFuture.completedFuture(c));
    }
    CompletableFuture<Connected> confirmed =
        drains.computeIfAbsent(c.tunnel(), t -> new CompletableFuture<>());
    stream.drain();
    // It may have said so, or gone, between the look and the request.
    Connected now = tunnels.get(agentId);
    if (now == null || now.tunnel() != c.tunnel() || now.draining()) {
      drains.remove(c.tunnel(), confirmed);
      confirmed.complete(now != null && now.tunnel() == c.tunnel() ? now : null);
    }
    return Optional.of(confirmed);
  }

  /**
   * Marks {@code agentId}'s tunnel here as draining, as when the agent says so on its control
   * stream: routing on this proxy gives it no new session from now on, its open sessions go on, and
   * its presence record says {@code draining}. Nothing happens when it is not connected here; the
   * mark ends with the tunnel (a reconnecting agent is serving again).
   */
  public void draining(String agentId) {
    draining(agentId, null, -1);
  }

  /**
   * Marks the agent's tunnel draining with {@code sessions} still open (-1: not said); with {@code
   * only}, just when that is still its tunnel. A new count is a new presence record; the agent says
   * it at most once a second.
   */
  private void draining(String agentId, Tunnel only, int sessions) {
    boolean[] began = {false};
    Connected[] after = {null};
    tunnels.computeIfPresent(
        agentId,
        (id, current) -> {
          if ((only != null && current.tunnel() != only)
              || (current.draining() && current.sessions() == sessions)) {
            return current;
          }
          began[0] = !current.draining();
          Connected drained = current.draining(sessions);
          presence.connected(id, drained);
          after[0] = drained;
          return drained;
        });
    if (after[0] == null) {
      return;
    }
    CompletableFuture<Connected> drain = drains.remove(after[0].tunnel());
    if (drain != null) {
      drain.complete(after[0]);
    }
    if (began[0]) {
      changes.incrementAndGet();
      LOG.info(
          "proxy {}: agent {} is draining{}",
          proxyId,
          agentId,
          sessions < 0 ? "" : " (" + sessions + " sessions open)");
    }
  }

  /**
   * Tombstones this proxy's presence records of those of {@code agentIds} not connected here: the
   * records a crash left on the topic (call it once the materializer has read the topic). An agent
   * that connects meanwhile keeps its record, as the check and the tombstone are one step.
   *
   * @return how many records were tombstoned
   */
  public int forgetStale(Collection<String> agentIds) {
    int[] forgotten = {0};
    for (String agentId : agentIds) {
      tunnels.compute(
          agentId,
          (id, current) -> {
            if (current == null) {
              presence.disconnected(id);
              forgotten[0]++;
            }
            return current;
          });
    }
    if (forgotten[0] > 0) {
      LOG.info(
          "proxy {}: removed {} presence record(s) left from an earlier run",
          proxyId,
          forgotten[0]);
    }
    return forgotten[0];
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

  /** The lanes of every agent connected here, all together. */
  public int lanes() {
    return tunnels.values().stream().mapToInt(c -> c.lanes().size()).sum();
  }

  /** A number that changes whenever an agent connects or disconnects. */
  public long version() {
    return changes.get();
  }

  /** Closes every tunnel. */
  @Override
  public void close() {
    tunnels
        .values()
        .forEach(
            c -> {
              c.tunnel().close();
              c.lanes().forEach(Tunnel::close);
            });
  }
}
