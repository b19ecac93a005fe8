package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.Wire;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeoutException;

/**
 * A failure before any upstream byte was relayed, and the one way it is answered: its status, a
 * {@code Gatehouse-Error} code, and a one-line body naming the agent and the resource.
 */
public enum RelayFailure {
  BAD_REQUEST(400, "bad-request"),
  NOT_SERVING(421, "not-serving"),
  DRAINING(503, "draining"),
  UPSTREAM_REFUSED(502, "upstream-refused"),
  UPSTREAM_TIMEOUT(504, "upstream-timeout");

  private final int status;
  private final String code;

  RelayFailure(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Classifies a failure to reach an upstream: a timeout of any kind, or a refusal. */
  public static RelayFailure ofDial(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectTimeoutException
          || t instanceof TimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return UPSTREAM_TIMEOUT;
      }
    }
    return UPSTREAM_REFUSED;
  }

  /**
   * Answers a failure to reach {@code served}'s upstream and counts it, unless the proxy went away
   * first: then there is nothing to report, and the upstream is not to blame.
   */
  static void respondToDial(
      HttpServerRequest request,
      String agentId,
      Served served,
      String resource,
      Throwable error,
      RelayMetrics metrics) {
    if (request.response().closed()) {
      return;
    }
    RelayFailure failure = ofDial(error);
    metrics.dialFailed(served.resource().kind(), failure);
    String what = failure == UPSTREAM_TIMEOUT ? "did not answer in time" : "refused the connection";
    String cause =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    failure.respond(
        request,
        agentId,
        resource,
        "upstream " + served.upstream() + " " + what + " (" + cause + ")");
  }

  /**
   * Answers {@code request} with this failure, unless the response has started (then the only
   * honest signal left is closing the connection). The request body, if any, is discarded.
   */
  public void respond(HttpServerRequest request, String agentId, String resource, String detail) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    String line = "agent " + agentId + (resource == null ? "" : ": " + resource) + ": " + detail;
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    if (connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
      // A refused upgrade leaves clients unsure what the connection is now; start afresh.
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    request.resume();
    response
        .setStatusCode(status)
        .putHeader(Wire.ERROR, code)
        .putHeader(Wire.AGENT, agentId)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(line.replace('\n', ' ').replace('\r', ' ') + "\n");
  }
}
