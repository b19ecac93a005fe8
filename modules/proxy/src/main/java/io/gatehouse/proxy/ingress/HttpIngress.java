package io.gatehouse.proxy.ingress;

import io.gatehouse.events.SessionPin;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.auth.Authenticator;
import io.gatehouse.proxy.auth.IdentityAssertions;
import io.gatehouse.proxy.auth.Principal;
import io.gatehouse.proxy.ingress.Dialer.Dialed;
import io.gatehouse.proxy.listener.ClientAddress;
import io.gatehouse.proxy.listener.RequestHost;
import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.routing.AgentEndpoint;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.SessionRequest;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.HopHeaders;
import io.gatehouse.relay.OpenResponse;
import io.gatehouse.relay.SessionId;
import io.gatehouse.relay.Splice;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * App and Kubernetes traffic: relays each request to the session's agent, streaming bodies both
 * ways and splicing upgraded connections (WebSocket). A request without a valid session cookie
 * starts a session on a healthy agent its routing policy picks and gets a cookie; a request with
 * one goes to the pinned agent, or is re-pinned (and audited) when that agent is gone.
 *
 * <p>Retries are safe by construction: an agent is abandoned for the next one only while nothing of
 * the request has been sent that cannot be sent again (no body), so a user never sees a request
 * applied twice.
 */
final class HttpIngress {
  static final String COOKIE = "gatehouse_session";

  private final String proxyId;
  private final String via;
  private final AgentStreams streams;
  private final Dialer dialer;
  private final SessionPins pins;
  private final AuditLog audit;
  private final IngressMetrics metrics;
  private final Duration idleTimeout;
  private final Duration touchInterval;
  private final IdentityAssertions assertions;

  HttpIngress(
      String proxyId,
      AgentStreams streams,
      Dialer dialer,
      SessionPins pins,
      AuditLog audit,
      IngressMetrics metrics,
      Duration idleTimeout,
      IdentityAssertions assertions) {
    this.assertions = assertions;
    this.proxyId = proxyId;
    this.via = "1.1 " + proxyId;
    this.streams = streams;
    this.dialer = dialer;
    this.pins = pins;
    this.audit = audit;
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
    // Idle expiry is accurate to a tenth of the timeout; a busy session writes its pin that often.
    Duration tenth = idleTimeout.dividedBy(10);
    this.touchInterval =
        tenth.compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1)
            : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
  }

  void handle(HttpServerRequest request, ResourceRef resource, Principal principal) {
    String user = principal.user();
    // Made before the dial, once per user and app for half its life: what the app is told.
    String assertion =
        assertions == null
            ? null
            : assertions.assertion(user, principal.access().roles(), resource.name());
    request.pause();
    String remote = ClientAddress.of(request);
    String cookie = cookie(request);
    SessionPin pin = cookie == null ? null : existingPin(cookie, resource, user);
    // The id itself only goes to the user (cookie) and the agent (Gatehouse-Session); pins and
    // audit events hold its key.
    String sessionId = pin != null ? cookie : SessionId.generate();
    SessionRequest sessionRequest =
        pin != null
            ? SessionRequest.pinned(resource, pin.getAgentId())
            : SessionRequest.newSession(resource);
    boolean upgrade = HopHeaders.isUpgrade(request);
    boolean body = !upgrade && HopHeaders.hasBody(request);
    dialer
        .dial(
            sessionRequest,
            choice -> forward(request, choice, sessionId, upgrade, body, remote, user, assertion))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                Failures.refuseSession(
                    request,
                    ar.cause(),
                    pin != null ? pin.getSessionId() : pins.key(sessionId),
                    remote,
                    metrics,
                    audit);
                return;
              }
              Dialed<Forwarded> dialed = ar.result();
              String setCookie;
              try {
                setCookie = record(pin, sessionId, resource, dialed, remote, user);
              } catch (RuntimeException e) {
                dialed.result().abandon();
                Failures.respond(request, e);
                return;
              }
              dialed.result().respond(request, setCookie);
            });
  }

  /** The session id the request's cookie carries, if it has the form of one. */
  private static String cookie(HttpServerRequest request) {
    Cookie cookie = request.getCookie(COOKIE);
    return cookie != null && SessionId.isValid(cookie.getValue()) ? cookie.getValue() : null;
  }

  /**
   * The pin of session {@code sessionId}, if it is a live session of this resource and user (a
   * session cookie never passes from one user to another).
   */
  private SessionPin existingPin(String sessionId, ResourceRef resource, String user) {
    SessionPin pin = pins.get(sessionId).orElse(null);
    if (pin == null
        || !user.equals(pin.getUser())
        || !SessionPins.HTTP.equals(pin.getTransport())
        || !resource.kind().word().equals(pin.getKind())
        || !resource.name().equals(pin.getName())) {
      return null;
    }
    if (pins.isIdle(pin, idleTimeout)) {
      pins.unpin(pin);
      audit.sessionEnded(pin, "expired", 0, 0);
      return null;
    }
    return pin;
  }

  /** Writes the session's pin as the dial turned out; returns the cookie to set, if any. */
  private String record(
      SessionPin pin,
      String sessionId,
      ResourceRef resource,
      Dialed<Forwarded> dialed,
      String remote,
      String user) {
    AgentEndpoint agent = dialed.choice().agent();
    if (pin == null) {
      SessionPin started = pins.pin(sessionId, resource, agent, SessionPins.HTTP, user);
      audit.sessionStarted(started, remote, dialed.choice());
      metrics.sessionsStarted.increment();
      // Written by hand: Netty spells the attribute HTTPOnly; browsers accept both, people grep for
      // HttpOnly.
      return COOKIE + "=" + sessionId + "; Path=/; Secure; HttpOnly; SameSite=Lax";
    }
    if (!pin.getAgentId().equals(agent.agentId())) {
      SessionPin moved = pins.repin(pin, agent);
      String why =
          dialed.request().failures().isEmpty()
              ? "agent " + pin.getAgentId() + " is " + dialed.choice().leftPin()
              : "agent " + dialed.request().failures().get(0);
      audit.sessionRepinned(moved, pin.getAgentId(), why, dialed.choice());
      metrics.sessionsRepinned.increment();
      return null;
    }
    pins.touch(pin, touchInterval);
    return null;
  }

  private Future<Forwarded> forward(
      HttpServerRequest request,
      AgentChoice choice,
      String sessionId,
      boolean upgrade,
      boolean body,
      String remote,
      String user,
      String assertion) {
    ResourceRef resource = choice.resource();
    String agentId = choice.agent().agentId();
    return streams
        .open(choice)
        .compose(
            stream -> {
              MultiMap h = MultiMap.caseInsensitiveMultiMap();
              HopHeaders.copy(request.headers(), h, true, COOKIE);
              stripAppCredential(h);
              String host = RequestHost.of(request);
              if (host != null) {
                // The stream's :authority: the agent's relay sees the Host the user sent.
                h.set(HttpHeaders.HOST, host);
                h.set("X-Forwarded-Host", host);
              }
              h.set(Wire.RESOURCE, resource.key());
              h.set(Wire.SESSION, sessionId);
              h.set(Wire.PROXY, proxyId);
              h.set(Wire.USER, user);
              if (assertion != null) {
                // The user's own header of that name was dropped with every Gatehouse-* header.
                h.set(Wire.JWT_ASSERTION, assertion);
              }
              String forwardedFor = request.getHeader("X-Forwarded-For");
              h.set(
                  "X-Forwarded-For", forwardedFor == null ? remote : forwardedFor + ", " + remote);
              // Behind a balancer on the plaintext listener, the scheme the user spoke is its word.
              String proto = request.isSSL() ? "https" : request.getHeader("X-Forwarded-Proto");
              h.set("X-Forwarded-Proto", proto == null ? "http" : proto);
              h.add("Via", via);
              if (upgrade) {
                h.set(Wire.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
                stream.writeHead(StreamHeads.request(request.method(), request.uri(), h));
              } else if (body) {
                stream.writeHead(StreamHeads.request(request.method(), request.uri(), h));
                request
                    .pipe()
                    .endOnFailure(false)
                    .to(stream)
                    .onComplete(
                        ar -> {
                          // Counted once per body, from the server's own tally: nothing added per
                          // buffer.
                          metrics.http.upstream().increment(request.bytesRead());
                          if (ar.failed()) {
                            stream.reset();
                          }
                        });
              } else {
                stream.writeHeadAndEnd(StreamHeads.request(request.method(), request.uri(), h));
              }
              // body is false for an upgrade, so it says exactly whether part of the request is
              // out.
              return streams
                  .answer(stream)
                  .transform(ar -> answered(ar, stream, resource, agentId, body));
            });
  }

  /** The app's own cookies pass on; the user's Gatehouse credential never reaches the app. */
  private static void stripAppCredential(MultiMap headers) {
    java.util.List<String> cookies = headers.getAll(HttpHeaders.COOKIE);
    if (cookies.isEmpty()) {
      return;
    }
    headers.remove(HttpHeaders.COOKIE);
    for (String c : cookies) {
      String rest = HopHeaders.withoutCookie(c, Authenticator.APP_COOKIE);
      if (!rest.isEmpty()) {
        headers.add(HttpHeaders.COOKIE, rest);
      }
    }
  }

  /**
   * Ends the HTTP sessions of {@code user} whose resource {@code revoked} says they may no longer
   * open: unpinned and audited ({@code session.end}, outcome {@code revoked}); their next request
   * is authorized again and refused. Reads every pin: call it off the event loop.
   */
  void endWhere(String user, java.util.function.Predicate<ResourceRef> revoked) {
    for (SessionPin pin : pins.all()) {
      if (!user.equals(pin.getUser()) || !SessionPins.HTTP.equals(pin.getTransport())) {
        continue;
      }
      java.util.Optional<ResourceRef> ref = ResourceRef.parse(pin.getKind(), pin.getName());
      if (ref.isPresent() && revoked.test(ref.get())) {
        pins.unpin(pin);
        audit.sessionEnded(pin, "revoked", 0, 0);
      }
    }
  }

  private Future<Forwarded> answered(
      AsyncResult<HttpMessage> ar,
      TunnelStream stream,
      ResourceRef resource,
      String agentId,
      boolean bodySent) {
    if (ar.failed()) {
      // A request the agent may have relayed already is never sent again: it could apply twice.
      boolean isFinal = bodySent || ar.cause() instanceof TimeoutException;
      return Future.failedFuture(
          isFinal
              ? AgentFailure.broken(resource, agentId, ar.cause())
              : AgentFailure.lost(resource, agentId, ar.cause()));
    }
    HttpResponse response = (HttpResponse) ar.result();
    stream.pause();
    ErrorCode code = ErrorCode.parse(response.headers().get(Wire.ERROR)).orElse(null);
    if (code != null && !bodySent && code.retryable()) {
      stream.reset();
      return Future.failedFuture(
          AgentFailure.refused(resource, agentId, response.status().code(), code));
    }
    return Future.succeededFuture(new Forwarded(stream, response));
  }

  /** The agent's answer, ready to be streamed back to the user. */
  private final class Forwarded {
    private final TunnelStream stream;
    private final HttpResponse response;

    Forwarded(TunnelStream stream, HttpResponse response) {
      this.stream = stream;
      this.response = response;
    }

    /** Gives the agent's exchange up: resets the stream. */
    void abandon() {
      stream.exceptionHandler(e -> {});
      stream.reset();
    }

    void respond(HttpServerRequest request, String setCookie) {
      HttpServerResponse out = request.response();
      if (out.closed()) {
        abandon();
        return;
      }
      MultiMap headers = TunnelStream.headers(response);
      HopHeaders.copy(headers, out.headers(), false, null);
      out.headers().add("Via", via);
      if (setCookie != null) {
        out.headers().add(HttpHeaders.SET_COOKIE, setCookie);
      }
      String upgraded = headers.get(Wire.UPGRADED);
      if (upgraded != null) {
        out.headers().remove(Wire.UPGRADED);
        out.setStatusCode(101);
        out.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
        out.putHeader(HttpHeaders.UPGRADE, upgraded);
        Splice.takeOver(
            request,
            stream,
            metrics.http.upstream()::increment,
            metrics.http.downstream()::increment);
        return;
      }
      int status = response.status().code();
      out.setStatusCode(status);
      boolean bodyless = HopHeaders.isBodyless(request.method(), status);
      if (!bodyless && headers.get(HttpHeaders.CONTENT_LENGTH) == null) {
        out.setChunked(true);
      }
      HopHeaders.resume(request);
      stream
          .pipe()
          .endOnFailure(false)
          .to(new OpenResponse(out))
          .onComplete(
              ar -> {
                metrics.http.downstream().increment(out.bytesWritten());
                if (ar.failed()) {
                  // Part of the response may be out: the only honest signal left is a reset.
                  abandon();
                  if (!out.ended()) {
                    out.reset();
                  }
                }
              });
    }
  }
}
