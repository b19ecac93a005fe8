package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.config.DnsLabel;
import io.gatehouse.config.HostPort;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.HopHeaders;
import io.gatehouse.relay.ResponseTimeout;
import io.gatehouse.relay.SessionId;
import io.gatehouse.relay.Wire;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's listener for proxies (wire protocol v1, {@code docs/wire-protocol.md}): validates the
 * {@code Gatehouse-*} headers, refuses resources this agent does not serve, and hands each session
 * to the HTTP or the TCP relay. One server instance runs on each event loop, all on the same port;
 * upstream clients are created once and shared, so nothing is allocated per request beyond the
 * exchange itself.
 *
 * <p>It does not own the {@link Vertx} it runs on: closing that closes the listener and every
 * connection.
 */
public final class RelayServer {
  private final Vertx vertx;
  private final String agentId;
  private final ResourceCatalog catalog;
  private final HttpRelay http;
  private final TunnelRelay tunnel;
  private volatile boolean draining;

  public RelayServer(
      Vertx vertx,
      String agentId,
      AgentConfig.Relay settings,
      ResourceCatalog catalog,
      RelayMetrics metrics) {
    this.vertx = vertx;
    this.agentId = agentId;
    this.catalog = catalog;
    HttpClient httpClient =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setDecompressionSupported(false)
                .setVerifyHost(true),
            new PoolOptions().setHttp1MaxSize(settings.poolSize()));
    NetClient netClient =
        vertx.createNetClient(
            new NetClientOptions()
                .setTcpNoDelay(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis()));
    this.http =
        new HttpRelay(
            httpClient,
            agentId,
            settings.connectTimeout(),
            new ResponseTimeout(vertx, settings.responseTimeout()),
            metrics);
    this.tunnel = new TunnelRelay(netClient, agentId, metrics);
  }

  /**
   * Binds {@code address} on {@code instances} event loops and returns the bound port (the chosen
   * one when {@code address} has port 0).
   */
  public Future<Integer> listen(HostPort address, int instances) {
    // Vert.x shares a port among server instances by its number; -1 asks for one free port
    // shared by all instances, where 0 would give each instance its own.
    int port = address.port() == 0 ? -1 : address.port();
    AtomicInteger bound = new AtomicInteger();
    return vertx
        .deployVerticle(
            () -> new Listener(address.host(), port, bound),
            new DeploymentOptions().setInstances(instances))
        .map(id -> bound.get());
  }

  /** From now on, new sessions get {@code 503 draining}; sessions already relayed continue. */
  public void drain() {
    draining = true;
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals(Wire.HEALTH_PATH) && request.method() == HttpMethod.GET) {
      request
          .response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(Wire.AGENT, agentId)
          .end(
              new JsonObject()
                  .put("agent", agentId)
                  .put("resources", catalog.size())
                  .put("draining", draining)
                  .encode());
      return;
    }
    String resource = request.getHeader(Wire.RESOURCE);
    String problem = headerProblem(request, resource);
    if (problem != null) {
      RelayFailure.respond(request, ErrorCode.BAD_REQUEST, agentId, resource, problem);
      return;
    }
    if (draining) {
      RelayFailure.respond(
          request, ErrorCode.DRAINING, agentId, resource, "shutting down; try another agent");
      return;
    }
    Optional<Served> served = catalog.lookup(resource);
    if (served.isEmpty()) {
      RelayFailure.respond(
          request, ErrorCode.NOT_SERVING, agentId, resource, "not served by this agent");
      return;
    }
    boolean tcp = served.get().upstream().transport() == Upstream.Transport.TCP;
    if (request.path().equals(Wire.TUNNEL_PATH)) {
      if (!HopHeaders.isTunnelUpgrade(request)) {
        RelayFailure.respond(
            request,
            ErrorCode.BAD_REQUEST,
            agentId,
            resource,
            "a tunnel is GET "
                + Wire.TUNNEL_PATH
                + " with Connection: Upgrade and Upgrade: "
                + Wire.TUNNEL_PROTOCOL);
      } else if (!tcp) {
        RelayFailure.respond(
            request,
            ErrorCode.BAD_REQUEST,
            agentId,
            resource,
            "an HTTP resource: send its requests, not a tunnel");
      } else {
        tunnel.relay(request, served.get(), resource);
      }
      return;
    }
    if (tcp) {
      RelayFailure.respond(
          request,
          ErrorCode.BAD_REQUEST,
          agentId,
          resource,
          "a TCP resource: open a tunnel (GET "
              + Wire.TUNNEL_PATH
              + ", Upgrade: "
              + Wire.TUNNEL_PROTOCOL
              + ")");
      return;
    }
    http.relay(request, served.get(), resource);
  }

  private static String headerProblem(HttpServerRequest request, String resource) {
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
    String session = request.getHeader(Wire.SESSION);
    if (session == null) {
      return "missing header " + Wire.SESSION;
    }
    if (!SessionId.isValid(session)) {
      return "malformed header " + Wire.SESSION + " (expected 32 lowercase hex characters)";
    }
    String proxy = request.getHeader(Wire.PROXY);
    if (proxy == null) {
      return "missing header " + Wire.PROXY;
    }
    // A proxy id follows the one node-id rule; a session id the one SessionId format.
    if (!NodeId.PATTERN.matcher(proxy).matches()) {
      return "malformed header " + Wire.PROXY;
    }
    return null;
  }

  /** One HTTP server on one event loop. */
  private final class Listener extends VerticleBase {
    private final String host;
    private final int port;
    private final AtomicInteger bound;

    Listener(String host, int port, AtomicInteger bound) {
      this.host = host;
      this.port = port;
      this.bound = bound;
    }

    @Override
    public Future<?> start() {
      HttpServer server =
          vertx.createHttpServer(
              new HttpServerOptions()
                  .setTcpNoDelay(true)
                  .setHttp2ClearTextEnabled(false)
                  .setHandle100ContinueAutomatically(true)
                  .setCompressionSupported(false));
      return server
          .requestHandler(RelayServer.this::handle)
          .listen(port, host)
          .onSuccess(s -> bound.set(s.actualPort()));
    }
  }
}
