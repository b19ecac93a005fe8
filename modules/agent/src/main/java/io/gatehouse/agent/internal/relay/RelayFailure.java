package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.ErrorResponse;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeoutException;

/**
 * A failure before any upstream byte was relayed, and the one way the agent answers it: the {@link
 * ErrorCode}'s status and code, and a one-line body naming the agent and the resource.
 */
final class RelayFailure {
  private RelayFailure() {}

  /** Classifies a failure to reach an upstream: a timeout of any kind, or a refusal. */
  static ErrorCode ofDial(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectTimeoutException
          || t instanceof TimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return ErrorCode.UPSTREAM_TIMEOUT;
      }
    }
    return ErrorCode.UPSTREAM_REFUSED;
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
    ErrorCode failure = ofDial(error);
    metrics.dialFailed(served.resource().kind(), failure);
    String what =
        failure == ErrorCode.UPSTREAM_TIMEOUT ? "did not answer in time" : "refused the connection";
    String cause =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    respond(
        request,
        failure,
        agentId,
        resource,
        "upstream " + served.upstream() + " " + what + " (" + cause + ")");
  }

  /**
   * Answers {@code request} with {@code code}, unless the response has started (then the only
   * honest signal left is closing the connection). The request body, if any, is discarded.
   */
  static void respond(
      HttpServerRequest request, ErrorCode code, String agentId, String resource, String detail) {
    String line = "agent " + agentId + (resource == null ? "" : ": " + resource) + ": " + detail;
    ErrorResponse.send(request, code, agentId, line);
  }
}
