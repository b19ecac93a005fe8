package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.relay.ErrorCode;
import io.netty.channel.ConnectTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * A failure before any upstream byte was relayed, and the one way the agent answers it: the {@link
 * ErrorCode}'s status and code, and a one-line body naming the agent and the resource. A dial the
 * destination check refused is answered as {@code upstream-refused}, with the check's reason.
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
      ProxyExchange exchange,
      String agentId,
      Served served,
      String resource,
      Throwable error,
      RelayMetrics metrics,
      UpstreamRefusals refusals) {
    if (exchange.isClosed()) {
      return;
    }
    if (error instanceof DestinationRefused refused) {
      metrics.destinationRefused(served.resource().kind());
      respond(
          exchange,
          ErrorCode.UPSTREAM_REFUSED,
          agentId,
          resource,
          "upstream "
              + served.upstream()
              + " not dialed: "
              + refused.refusal().detail()
              + " ["
              + refused.refusal().reason().word()
              + "]");
      return;
    }
    ErrorCode failure = ofDial(error);
    metrics.dialFailed(served.resource().kind(), failure);
    String what =
        failure == ErrorCode.UPSTREAM_TIMEOUT ? "did not answer in time" : "refused the connection";
    String cause =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (failure == ErrorCode.UPSTREAM_REFUSED) {
      refusals.refused(resource, cause);
    }
    respond(
        exchange,
        failure,
        agentId,
        resource,
        "upstream " + served.upstream() + " " + what + " (" + cause + ")");
  }

  /** Answers {@code exchange} with {@code code}, or resets it if its response has started. */
  static void respond(
      ProxyExchange exchange, ErrorCode code, String agentId, String resource, String detail) {
    String line = "agent " + agentId + (resource == null ? "" : ": " + resource) + ": " + detail;
    exchange.fail(code, agentId, line);
  }
}
