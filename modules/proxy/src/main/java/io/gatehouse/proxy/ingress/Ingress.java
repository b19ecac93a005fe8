package io.gatehouse.proxy.ingress;

import io.gatehouse.access.Access;
import io.gatehouse.config.DnsLabel;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.AppLogin;
import io.gatehouse.proxy.auth.Authenticator;
import io.gatehouse.proxy.auth.IdentityAssertions;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.listener.RequestHost;
import io.gatehouse.proxy.routing.AgentSelector;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.ResourceLabels;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.Wire;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * User traffic on the web port. A request whose host is {@code <name>.<public host>} is app (or,
 * when no app of that name exists, Kubernetes) traffic for resource {@code name}; a request for
 * {@code /v1/tunnel/{kind}/{name}} opens a TCP tunnel; everything else belongs to the API.
 *
 * <p>Every request is authenticated ({@link Authenticator}: the app credential on app hosts, the
 * bearer credential on tunnels) and authorized against the resource's labels before any agent is
 * chosen; a refusal is audited and answered {@code 403}, the same for a resource that does not
 * exist as for one the user may not see. Thread-safe: one instance serves every event loop.
 */
public final class Ingress {
  public static final String TUNNEL_PATH = Wire.USER_TUNNEL_PATH;

  private final String proxyId;
  private final String publicSuffix;
  private final RoutingTable table;
  private final HttpIngress http;
  private final TunnelIngress tunnels;
  private final Authenticator authenticator;
  private final AppLogin appLogin;
  private final ResourceLabels labels;
  private final AuditLog audit;

  /**
   * @param publicHost apps are {@code <name>.<publicHost>}
   * @param agents the agents connected to this proxy, which sessions are opened on
   * @param responseTimeout how long an agent may take to answer
   * @param idleTimeout how long an HTTP session may stay unused
   */
  public Ingress(
      Vertx vertx,
      String proxyId,
      String publicHost,
      AgentTunnels agents,
      Duration responseTimeout,
      Duration idleTimeout,
      RoutingTable table,
      AgentSelector selector,
      Ejections ejections,
      SessionPins pins,
      AuditLog audit,
      MeterRegistry registry,
      Guard guard) {
    this.authenticator = guard.authenticator();
    this.appLogin = guard.appLogin();
    this.labels = guard.labels();
    IdentityAssertions assertions = guard.assertions();
    this.audit = audit;
    this.proxyId = proxyId;
    this.publicSuffix = "." + publicHost.toLowerCase(Locale.ROOT);
    this.table = table;
    IngressMetrics metrics = new IngressMetrics(registry);
    AgentStreams streams = new AgentStreams(vertx, agents, responseTimeout, metrics);
    Dialer dialer = new Dialer(selector, ejections, metrics);
    this.http =
        new HttpIngress(proxyId, streams, dialer, pins, audit, metrics, idleTimeout, assertions);
    this.tunnels = new TunnelIngress(proxyId, streams, dialer, pins, audit, metrics);
  }

  /**
   * Who may open what: the credential check, the resources' labels roles are matched against, and
   * the identity apps are told.
   */
  public record Guard(
      Authenticator authenticator,
      ResourceLabels labels,
      IdentityAssertions assertions,
      AppLogin appLogin) {}

  /**
   * Takes the request if it is app traffic or a tunnel.
   *
   * @return false when the request is for the API
   */
  public boolean handle(HttpServerRequest request) {
    try {
      return route(request);
    } catch (RuntimeException e) {
      // Local state failed us (a closed or damaged store): answer rather than leave the user
      // hanging.
      Failures.respond(request, e);
      return true;
    }
  }

  private boolean route(HttpServerRequest request) {
    Optional<String> app = appName(RequestHost.of(request));
    String path = request.path();
    if ((app.isPresent() || path.startsWith(TUNNEL_PATH))
        && ViaChain.names(request.headers().getAll("Via"), proxyId)) {
      // Relaying it again would send it round once more, each time through every hop.
      Failures.respond(
          request,
          new Refusal(
              ErrorCode.LOOP_DETECTED,
              "loop detected: the request has already passed through proxy " + proxyId));
      return true;
    }
    if (app.isPresent()) {
      if (path.equals(AppLogin.FINISH_PATH)) {
        appLogin.finish(request, app.get());
        return true;
      }
      if (!Authenticator.hasAppCredential(request) && AppLogin.isBrowser(request)) {
        appLogin.redirectToLogin(request, app.get());
        return true;
      }
      ResourceRef resource = resolve(app.get());
      Principal principal =
          authorize(request, resource, authenticator.appRequest(request, app.get()));
      http.handle(request, resource, principal);
      return true;
    }
    if (path.startsWith(TUNNEL_PATH)) {
      String[] parts = path.substring(TUNNEL_PATH.length()).split("/", -1);
      Optional<ResourceRef> ref =
          parts.length == 2 ? ResourceRef.parse(parts[0], parts[1]) : Optional.empty();
      if (ref.isEmpty()) {
        Failures.respond(
            request,
            new Refusal(
                ErrorCode.BAD_REQUEST, "expected /v1/tunnel/{kind}/{name}, e.g. /v1/tunnel/db/pg"));
      } else {
        Principal principal = authorize(request, ref.get(), authenticator.proxyRequest(request));
        tunnels.handle(request, ref.get(), principal.user());
      }
      return true;
    }
    return false;
  }

  /**
   * Lets {@code principal} open {@code resource}, or refuses (audited) with the reason.
   *
   * @throws Refusal {@code 403 access-denied}
   */
  private Principal authorize(
      HttpServerRequest request, ResourceRef resource, Principal principal) {
    Access.Decision decision = principal.access().decideOpen(resource.kind(), labels.of(resource));
    if (!decision.allowed()) {
      audit.accessDenied(
          principal.user(),
          resource.kind().word(),
          resource.name(),
          "open",
          decision.reason(),
          ClientAddress.of(request));
      throw new Refusal(
          ErrorCode.ACCESS_DENIED,
          principal.user() + " may not open " + resource + ": " + decision.reason());
    }
    return principal;
  }

  /**
   * Ends what {@code user} has open that their roles no longer allow, or everything when {@code
   * access} is empty (removed or locked): TCP tunnels are closed, HTTP sessions unpinned.
   */
  public void revoke(String user, java.util.Optional<Access> access) {
    java.util.function.Predicate<ResourceRef> allowed =
        ref -> access.isPresent() && access.get().mayOpen(ref.kind(), labels.of(ref));
    tunnels.closeWhere(user, allowed.negate());
    http.endWhere(user, allowed.negate());
  }

  /** Whether the TCP session of {@code sessionKey} ({@link SessionPins#key}) is open here. */
  public boolean isTunnelOpen(String sessionKey) {
    return tunnels.isOpen(sessionKey);
  }

  /** Closes open TCP sessions (each end is audited). */
  public void close() {
    tunnels.closeAll();
  }

  /** The app name of {@code <name>.<public host>[:port]}, if the host has that form. */
  Optional<String> appName(String hostHeader) {
    if (hostHeader == null) {
      return Optional.empty();
    }
    String host = hostHeader.toLowerCase(Locale.ROOT);
    if (!host.startsWith("[")) {
      int colon = host.lastIndexOf(':');
      if (colon >= 0) {
        host = host.substring(0, colon);
      }
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (!host.endsWith(publicSuffix)) {
      return Optional.empty();
    }
    String name = host.substring(0, host.length() - publicSuffix.length());
    return DnsLabel.isValid(name) ? Optional.of(name) : Optional.empty();
  }

  /** {@code app/name}, unless only a Kubernetes cluster has that name. */
  private ResourceRef resolve(String name) {
    ResourceRef app = new ResourceRef(ResourceKind.APP, name);
    if (table.isKnown(app)) {
      return app;
    }
    ResourceRef kube = new ResourceRef(ResourceKind.KUBE, name);
    return table.isKnown(kube) ? kube : app;
  }

  /** The user's address, for {@code X-Forwarded-For} and audit. */
}
