package io.gatehouse.proxy.ingress;

import io.gatehouse.events.SessionPin;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.ingress.Dialer.Dialed;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.SessionRequest;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.HopHeaders;
import io.gatehouse.relay.SessionId;
import io.gatehouse.relay.Splice;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * TCP resources through the web port: {@code GET /v1/tunnel/{kind}/{name}} with {@code Upgrade:
 * gatehouse-tunnel/1}. The proxy opens the agent's tunnel first (trying the next agent while one
 * cannot be reached or refuses), answers {@code 101} only once the agent has, and then splices the
 * two connections. The session is pinned for as long as the connection lives; its end tombstones
 * the pin and is audited with the bytes relayed each way.
 *
 * <p>The session id goes to the agent ({@code Gatehouse-Session}) and back to the user in the
 * {@code 101}; everything this proxy keeps or writes about the session uses its key.
 */
final class TunnelIngress {
  private final String proxyId;
  private final AgentStreams streams;
  private final Dialer dialer;
  private final SessionPins pins;
  private final AuditLog audit;
  private final IngressMetrics metrics;

  /**
   * Keys of the sessions from pin to end, including those whose connection is still being switched.
   */
  private final Set<String> live = ConcurrentHashMap.newKeySet();

  private final Map<String, OpenTunnel> open = new ConcurrentHashMap<>();

  TunnelIngress(
      String proxyId,
      AgentStreams streams,
      Dialer dialer,
      SessionPins pins,
      AuditLog audit,
      IngressMetrics metrics) {
    this.proxyId = proxyId;
    this.streams = streams;
    this.dialer = dialer;
    this.pins = pins;
    this.audit = audit;
    this.metrics = metrics;
  }

  /** Whether the TCP session of {@code sessionKey} is open on this proxy. */
  boolean isOpen(String sessionKey) {
    return live.contains(sessionKey);
  }

  /** Closes every open tunnel (each end is audited). */
  void closeAll() {
    open.values().forEach(t -> t.splice().close());
  }

  /**
   * Closes the tunnels of {@code user} to resources {@code revoked} says they may no longer open;
   * each end is audited as usual (closed), after a {@code session.end} of outcome {@code revoked}.
   */
  void closeWhere(String user, java.util.function.Predicate<ResourceRef> revoked) {
    for (OpenTunnel t : open.values()) {
      SessionPin pin = t.pin();
      if (!user.equals(pin.getUser())) {
        continue;
      }
      java.util.Optional<ResourceRef> ref = ResourceRef.parse(pin.getKind(), pin.getName());
      if (ref.isPresent() && revoked.test(ref.get())) {
        t.splice().close();
      }
    }
  }

  void handle(HttpServerRequest request, ResourceRef resource, String user) {
    if (!HopHeaders.isTunnelUpgrade(request)) {
      Failures.respond(
          request,
          new Refusal(
              ErrorCode.BAD_REQUEST,
              "a tunnel is GET /v1/tunnel/{kind}/{name} with Connection: Upgrade and Upgrade: "
                  + Wire.TUNNEL_PROTOCOL));
      return;
    }
    request.pause();
    String remote = ClientAddress.of(request);
    String sessionId = SessionId.generate();
    dialer
        .dial(SessionRequest.newSession(resource), choice -> openTunnel(choice, sessionId, user))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                Failures.refuseSession(
                    request, ar.cause(), pins.key(sessionId), remote, metrics, audit);
                return;
              }
              splice(request, sessionId, ar.result(), remote, user);
            });
  }

  private Future<Opened> openTunnel(AgentChoice choice, String sessionId, String user) {
    ResourceRef resource = choice.resource();
    String agentId = choice.agent().agentId();
    return streams
        .open(choice)
        .compose(
            stream -> {
              MultiMap h = MultiMap.caseInsensitiveMultiMap();
              h.set(Wire.RESOURCE, resource.key());
              h.set(Wire.SESSION, sessionId);
              h.set(Wire.PROXY, proxyId);
              h.set(Wire.USER, user);
              stream.writeHead(StreamHeads.request(HttpMethod.POST, Wire.TUNNEL_PATH, h));
              return streams
                  .answer(stream)
                  .transform(ar -> answered(ar, stream, resource, agentId));
            });
  }

  private static Future<Opened> answered(
      AsyncResult<HttpMessage> ar, TunnelStream stream, ResourceRef resource, String agentId) {
    if (ar.failed()) {
      // Nothing of the session has been relayed yet: a silent agent is as good as unreachable.
      return Future.failedFuture(
          ar.cause() instanceof TimeoutException
              ? AgentFailure.unreachable(resource, agentId, ar.cause())
              : AgentFailure.lost(resource, agentId, ar.cause()));
    }
    HttpResponse response = (HttpResponse) ar.result();
    stream.pause();
    ErrorCode code = ErrorCode.parse(response.headers().get(Wire.ERROR)).orElse(null);
    if (response.status().code() != 200 && code != null && code.retryable()) {
      stream.reset();
      return Future.failedFuture(
          AgentFailure.refused(resource, agentId, response.status().code(), code));
    }
    return Future.succeededFuture(new Opened(stream, response));
  }

  private void splice(
      HttpServerRequest request,
      String sessionId,
      Dialed<Opened> dialed,
      String remote,
      String user) {
    HttpResponse response = dialed.result().response();
    TunnelStream agentStream = dialed.result().stream();
    HttpServerResponse out = request.response();
    if (response.status().code() != 200) {
      // The agent refused for a reason another agent would share (e.g. not a TCP resource): pass it
      // on.
      HopHeaders.copy(TunnelStream.headers(response), out.headers(), false, null);
      out.setStatusCode(response.status().code()).putHeader(HttpHeaders.CONNECTION, "close");
      HopHeaders.resume(request);
      agentStream.pipeTo(out);
      return;
    }
    if (out.closed()) {
      agentStream.reset();
      return;
    }
    String key = pins.key(sessionId);
    live.add(key);
    SessionPin pin;
    try {
      pin =
          pins.pin(
              sessionId,
              dialed.choice().resource(),
              dialed.choice().agent(),
              SessionPins.TCP,
              user);
    } catch (RuntimeException e) {
      live.remove(key);
      agentStream.reset();
      Failures.respond(request, e);
      return;
    }
    audit.sessionStarted(pin, remote, dialed.choice());
    metrics.sessionsStarted.increment();
    out.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
        .putHeader(HttpHeaders.UPGRADE, Wire.TUNNEL_PROTOCOL)
        .putHeader(Wire.AGENT, dialed.choice().agent().agentId())
        .putHeader(Wire.SESSION, sessionId);
    request
        .toNetSocket()
        .onComplete(
            sr -> {
              if (sr.failed()) {
                agentStream.reset();
                live.remove(key);
                pins.unpin(pin);
                audit.sessionEnded(pin, "failed", 0, 0);
                return;
              }
              Splice splice =
                  metrics.tunnel.join(
                      Splice.End.of(sr.result()),
                      agentStream,
                      s -> {
                        open.remove(key);
                        live.remove(key);
                        pins.unpin(pin);
                        audit.sessionEnded(pin, "closed", s.bytesUp(), s.bytesDown());
                      });
              // Socket events run on this event loop after this handler returns, so the end
              // handler cannot have run yet.
              open.put(key, new OpenTunnel(splice, pin));
            });
  }

  private record Opened(TunnelStream stream, HttpResponse response) {}

  private record OpenTunnel(Splice splice, SessionPin pin) {}
}
