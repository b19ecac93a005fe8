package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.routing.AgentSelector;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.SessionRequest;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a session to an agent: asks the selector, attempts the chosen agent, and on a retryable
 * failure ejects it (when the failure says the agent is gone) and asks again without it. Ends with
 * the first agent that took the session, or with the selector's {@code RoutingFailure} once no
 * candidate is left, or with a final failure of an attempt. Never throws.
 */
final class Dialer {
  private static final Logger LOG = LoggerFactory.getLogger(Dialer.class);

  private final AgentSelector selector;
  private final Ejections ejections;
  private final IngressMetrics metrics;

  Dialer(AgentSelector selector, Ejections ejections, IngressMetrics metrics) {
    this.selector = selector;
    this.ejections = ejections;
    this.metrics = metrics;
  }

  /**
   * @param attempt tries one agent; fails with an {@link AgentFailure} to move on, or with anything
   *     else to stop
   */
  <T> Future<Dialed<T>> dial(SessionRequest request, Function<AgentChoice, Future<T>> attempt) {
    long start = System.nanoTime();
    Future<AgentChoice> picked;
    try {
      picked = selector.pick(request);
    } catch (RuntimeException e) {
      picked = Future.failedFuture(e);
    }
    metrics.selection.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    return picked.compose(choice -> tryAgent(request, choice, attempt));
  }

  private <T> Future<Dialed<T>> tryAgent(
      SessionRequest request, AgentChoice choice, Function<AgentChoice, Future<T>> attempt) {
    metrics.dialAttempts.increment();
    Future<T> result;
    try {
      result = attempt.apply(choice);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    String agentId = choice.agent().agentId();
    return result.transform(
        ar -> {
          if (ar.succeeded()) {
            ejections.succeeded(agentId);
            return Future.succeededFuture(new Dialed<>(choice, ar.result(), request));
          }
          if (!(ar.cause() instanceof AgentFailure failure) || !failure.kind().retryable()) {
            return Future.failedFuture(ar.cause());
          }
          switch (failure.kind()) {
            case UNREACHABLE -> metrics.dialUnreachable.increment();
            case LOST -> metrics.dialLost.increment();
            default -> metrics.dialRefused.increment();
          }
          if (failure.kind().ejects()) {
            Instant until = ejections.eject(agentId);
            metrics.ejections.increment();
            LOG.warn(
                "ejected agent {} at {} until {}: {}",
                agentId,
                choice.agent().address(),
                until,
                failure.attempt().reason());
          }
          return dial(request.after(failure.attempt()), attempt);
        });
  }

  /**
   * An agent took the session.
   *
   * @param choice the agent that took it
   * @param result what the attempt produced
   * @param request the request as it stood, with the agents that failed before
   */
  record Dialed<T>(AgentChoice choice, T result, SessionRequest request) {}
}
