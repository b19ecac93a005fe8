package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.config.DnsLabel;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ResponseTimeout;
import io.gatehouse.relay.SessionId;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The agent's end of every session (wire protocol v2, {@code docs/wire-protocol.md}): each stream a
 * proxy opens on a tunnel is checked ({@code Gatehouse-*} headers, a resource this agent serves,
 * not draining) and handed to the HTTP or the TCP relay, which check a dynamic resource's
 * destination again against what its host resolves to before dialing. Upstream clients are created
 * once and shared, so nothing is allocated per session beyond the exchange itself. It listens on
 * nothing: sessions arrive only on tunnels the agent dialed.
 */
public final class RelayServer {
  private final String agentId;
  private final ResourceCatalog catalog;
  private final HttpRelay http;
  private final TunnelRelay tunnel;
  private volatile boolean draining;
  private final OpenSessions sessions = new OpenSessions();
  private final UpstreamProbe probe;
  private volatile BiConsumer<String, TunnelStream> control = (proxy, stream) -> stream.reset();
  private volatile UpstreamRefusals refusals = (resource, reason) -> {};

  public RelayServer(
      Vertx vertx,
      String agentId,
      AgentConfig.Relay settings,
      ResourceCatalog catalog,
      RelayMetrics metrics,
      ProxyDirectory proxies) {
    this.agentId = agentId;
    this.catalog = catalog;
    LoopClients httpClients =
        new LoopClients(
            () ->
                vertx.createHttpClient(
                    new HttpClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setConnectTimeout((int) settings.connectTimeout().toMillis())
                        .setDecompressionSupported(false)
                        .setVerifyHost(true),
                    new PoolOptions().setHttp1MaxSize(settings.poolSize())));
    NetClient netClient =
        vertx.createNetClient(
            new NetClientOptions()
                .setTcpNoDelay(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis()));
    DestinationDial destinations =
        new DestinationDial(agentId, ((VertxInternal) vertx).nameResolver(), proxies);
    this.http =
        new HttpRelay(
            httpClients,
            agentId,
            settings.connectTimeout(),
            new ResponseTimeout(vertx, settings.responseTimeout()),
            metrics,
            destinations,
            this::refused);
    this.tunnel = new TunnelRelay(netClient, agentId, metrics, destinations, this::refused);
    this.probe = new UpstreamProbe(vertx, destinations);
  }

  /** Checks upstreams as sessions reach them, for the agent's health checks. */
  public UpstreamProbe probe() {
    return probe;
  }

  /** Who hears of sessions whose upstream refused the connection (the health checks). */
  public void onUpstreamRefused(UpstreamRefusals listener) {
    this.refusals = listener;
  }

  private void refused(String resource, String reason) {
    refusals.refused(resource, reason);
  }

  /**
   * Serves a stream a proxy opened, its handlers on {@code context} (the tunnel's, on the stream's
   * event loop). Call on that event loop, before the stream reads anything.
   */
  public void accept(Http2StreamChannel channel, ContextInternal context, String proxyId) {
    TunnelStream stream = Tunnel.accept(channel, context);
    stream
        .head()
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() instanceof HttpRequest request) {
                handle(new ProxyExchange(stream, request, proxyId));
              } else {
                stream.reset();
              }
            });
  }

  /**
   * Who reads a tunnel's control stream ({@code GET /.gatehouse/control}): told the proxy's id and
   * the stream, once its 200 is on the way.
   */
  public void onControl(BiConsumer<String, TunnelStream> handler) {
    this.control = handler;
  }

  /** From now on, new sessions get {@code 503 draining}; sessions already relayed continue. */
  public void drain() {
    draining = true;
  }

  /** The sessions being relayed: what a drain waits for. */
  public OpenSessions sessions() {
    return sessions;
  }

  private void handle(ProxyExchange exchange) {
    if (exchange.path().equals(Wire.CONTROL_PATH) && exchange.method() == HttpMethod.GET) {
      exchange.respond(200, MultiMap.caseInsensitiveMultiMap().set(Wire.AGENT, agentId), false);
      control.accept(exchange.header(Wire.PROXY), exchange.stream());
      return;
    }
    String resource = exchange.header(Wire.RESOURCE);
    String problem = headerProblem(exchange, resource);
    if (problem != null) {
      RelayFailure.respond(exchange, ErrorCode.BAD_REQUEST, agentId, resource, problem);
      return;
    }
    if (draining) {
      RelayFailure.respond(
          exchange, ErrorCode.DRAINING, agentId, resource, "shutting down; try another agent");
      return;
    }
    Optional<Served> served = catalog.lookup(resource);
    if (served.isEmpty()) {
      RelayFailure.respond(
          exchange, ErrorCode.NOT_SERVING, agentId, resource, "not served by this agent");
      return;
    }
    boolean tcp = served.get().upstream().transport() == Upstream.Transport.TCP;
    if (exchange.path().equals(Wire.TUNNEL_PATH)) {
      if (exchange.method() != HttpMethod.POST) {
        RelayFailure.respond(
            exchange,
            ErrorCode.BAD_REQUEST,
            agentId,
            resource,
            "a TCP session is POST " + Wire.TUNNEL_PATH);
      } else if (!tcp) {
        RelayFailure.respond(
            exchange,
            ErrorCode.BAD_REQUEST,
            agentId,
            resource,
            "an HTTP resource: send its requests, not a TCP session");
      } else {
        sessions.add(exchange.stream());
        tunnel.relay(exchange, served.get(), resource);
      }
      return;
    }
    if (tcp) {
      RelayFailure.respond(
          exchange,
          ErrorCode.BAD_REQUEST,
          agentId,
          resource,
          "a TCP resource: open a TCP session (POST " + Wire.TUNNEL_PATH + ")");
      return;
    }
    sessions.add(exchange.stream());
    http.relay(exchange, served.get(), resource);
  }

  /** The proxy's user name rule (1-128 of letters, digits, {@code . _ - @}). */
  private static final java.util.regex.Pattern USER =
      java.util.regex.Pattern.compile("[A-Za-z0-9._@-]{1,128}");

  private static String headerProblem(ProxyExchange exchange, String resource) {
    if (resource == null) {
      return "missing header " + Wire.RESOURCE;
    }
    int slash = resource.indexOf(Keys.SEPARATOR);
    String kind = slash < 0 ? "" : resource.substring(0, slash);
    boolean knownKind = ResourceKind.parse(kind).map(k -> k.word().equals(kind)).orElse(false);
    if (!knownKind || !DnsLabel.isValid(resource.substring(slash + 1))) {
      return "malformed header "
          + Wire.RESOURCE
          + " '"
          + resource
          + "' (expected kind/name, e.g. app/demo)";
    }
    String session = exchange.header(Wire.SESSION);
    if (session == null) {
      return "missing header " + Wire.SESSION;
    }
    if (!SessionId.isValid(session)) {
      return "malformed header " + Wire.SESSION + " (expected 32 lowercase hex characters)";
    }
    String proxy = exchange.header(Wire.PROXY);
    if (proxy == null) {
      return "missing header " + Wire.PROXY;
    }
    // A proxy id follows the one node-id rule; a session id the one SessionId format.
    if (!NodeId.PATTERN.matcher(proxy).matches()) {
      return "malformed header " + Wire.PROXY;
    }
    // The proxy's identity is its certificate's: a stream cannot speak for another proxy.
    if (exchange.tunnelProxy() != null && !proxy.equals(exchange.tunnelProxy())) {
      return "the session names proxy "
          + proxy
          + " but came on the tunnel of proxy "
          + exchange.tunnelProxy();
    }
    // Every session is opened for a user the proxy authenticated, and names them.
    String user = exchange.header(Wire.USER);
    if (user == null) {
      return "missing header " + Wire.USER + " (a session is opened for a user)";
    }
    if (!USER.matcher(user).matches()) {
      return "malformed header " + Wire.USER;
    }
    return null;
  }
}
