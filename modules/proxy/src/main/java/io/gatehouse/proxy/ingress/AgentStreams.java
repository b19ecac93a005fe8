package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.gatehouse.relay.ResponseTimeout;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.relay.tunnel.TunnelStream;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;

/**
 * Opens sessions on agents' tunnels: one stream per session, its handlers on the caller's context.
 * An agent with no tunnel here, or whose tunnel refuses the stream, is {@link
 * AgentFailure#unreachable unreachable}; an agent that does not answer within the response timeout
 * fails the attempt.
 */
final class AgentStreams {
  private final AgentTunnels tunnels;
  private final ResponseTimeout responseTimeout;
  private final IngressMetrics metrics;

  AgentStreams(
      Vertx vertx, AgentTunnels tunnels, Duration responseTimeout, IngressMetrics metrics) {
    this.tunnels = tunnels;
    this.metrics = metrics;
    this.responseTimeout = new ResponseTimeout(vertx, responseTimeout);
  }

  /**
   * A new stream to the agent of {@code choice}, bound to the current Vert.x context, on the
   * agent's connection that runs on this context's event loop when it has one here.
   */
  Future<TunnelStream> open(AgentChoice choice) {
    String agentId = choice.agent().agentId();
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    return tunnels
        .get(agentId)
        .map(c -> open(c.tunnelFor(context.nettyEventLoop()), context))
        .orElseGet(
            () ->
                Future.failedFuture(
                    new IllegalStateException("agent " + agentId + " has no tunnel to this proxy")))
        .recover(e -> Future.failedFuture(AgentFailure.unreachable(choice.resource(), agentId, e)));
  }

  private Future<TunnelStream> open(Tunnel tunnel, ContextInternal context) {
    (tunnel.runsOn(context.nettyEventLoop()) ? metrics.streamsSameThread : metrics.streamsCrossed)
        .increment();
    return tunnel.open(context);
  }

  /**
   * The agent's response head, or a {@link ResponseTimeout.Expired} (and a reset stream) when it
   * does not arrive within the response timeout.
   */
  Future<HttpMessage> answer(TunnelStream stream) {
    return responseTimeout.race(stream.head(), stream::reset);
  }
}
