package io.gatehouse.proxy.ingress;

import io.gatehouse.config.ConfigException;
import io.gatehouse.proxy.Refusal;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.routing.RoutingFailure;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ErrorResponse;
import io.gatehouse.relay.Wire;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes what the user sees. Ingress answers in plain text and the
 * API in JSON, both from the same {@link Verdict}:
 *
 * <ul>
 *   <li>unknown resource: 404 {@code unknown-resource};
 *   <li>no healthy agent: 503 {@code no-alive-agent};
 *   <li>every candidate failed: 502 {@code all-agents-failed}, naming the resource and each agent
 *       tried with its reason;
 *   <li>the agents are alive but the upstream is down (their checks say so, or none reached it):
 *       503 {@code target-down}, naming the resource and each agent tried;
 *   <li>an agent failed after part of the request was relayed: 502 {@code agent-failed};
 *   <li>an invalid document: 400 {@code invalid-document}, every problem with its key path;
 *   <li>a request refused before routing: its own status and code;
 *   <li>anything else: 500 {@code internal}, logged.
 * </ul>
 */
public final class Failures {
  public static final String ERROR_HEADER = Wire.ERROR;
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {}

  /** Status, {@code Gatehouse-Error} code and one-line message for a failure. */
  public static Verdict verdict(Throwable failure) {
    if (failure instanceof RoutingFailure r) {
      return new Verdict(r.reason().status(), r.reason().code(), r.getMessage());
    }
    if (failure instanceof AgentFailure a) {
      return verdict(ErrorCode.AGENT_FAILED, a.getMessage());
    }
    if (failure instanceof ConfigException c) {
      return verdict(ErrorCode.INVALID_DOCUMENT, c.getMessage());
    }
    if (failure instanceof Refusal i) {
      return new Verdict(i.status(), i.code(), i.getMessage());
    }
    LOG.error("unexpected failure while serving a request", failure);
    return verdict(ErrorCode.INTERNAL, "internal error: " + failure.getClass().getSimpleName());
  }

  private static Verdict verdict(ErrorCode code, String message) {
    return new Verdict(code.status(), code.code(), message);
  }

  /** Answers {@code request} in plain text, or resets it if the response has already started. */
  static void respond(HttpServerRequest request, Throwable failure) {
    Verdict v = verdict(failure);
    ErrorResponse.send(request, v.status(), v.code(), null, v.message());
  }

  /**
   * A new session that could not be placed: counted and audited when routing refused it (no agent,
   * unknown resource, every agent failed), then answered as {@link #respond} does.
   *
   * @param sessionKey the session's key, never its id: audit events hold no bearer secret
   */
  static void refuseSession(
      HttpServerRequest request,
      Throwable failure,
      String sessionKey,
      String remote,
      IngressMetrics metrics,
      AuditLog audit) {
    if (failure instanceof RoutingFailure routing) {
      metrics.sessionsFailed.increment();
      audit.selectionFailed(sessionKey, routing, remote);
    }
    respond(request, failure);
  }

  /** What a failure looks like to the user. */
  public record Verdict(int status, String code, String message) {}
}
