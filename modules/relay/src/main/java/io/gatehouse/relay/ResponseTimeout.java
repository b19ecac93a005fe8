package io.gatehouse.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * How long one end of the wire waits for response headers, and the one way that wait ends: the
 * agent waiting for an upstream, the proxy waiting for an agent. When the headers do not arrive in
 * time the request is reset and the wait fails with {@link Expired}; the body, once it flows, is
 * not timed. Thread-safe: one instance serves every event loop.
 */
public final class ResponseTimeout {
  /** The agent's default wait for an upstream ({@code agent.relay.response_timeout}). */
  public static final Duration UPSTREAM_DEFAULT = Duration.ofSeconds(60);

  /**
   * The proxy's default wait for an agent ({@code routing.response_timeout}): longer than {@link
   * #UPSTREAM_DEFAULT}, so that a slow upstream reaches the user as the agent's {@code 504
   * upstream-timeout}, not as the proxy giving up on the agent.
   */
  public static final Duration AGENT_DEFAULT = UPSTREAM_DEFAULT.plusSeconds(15);

  private final Vertx vertx;
  private final Duration timeout;

  public ResponseTimeout(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  /** How long the headers may take. */
  public Duration duration() {
    return timeout;
  }

  /**
   * {@code response}, or {@link Expired} (and a reset {@code request}) when its headers do not
   * arrive in time. Completes on the thread the response arrives on, so a caller can still pause
   * the response before its body flows.
   */
  public Future<HttpClientResponse> race(
      HttpClientRequest request, Future<HttpClientResponse> response) {
    return race(response, () -> request.reset(0, new Expired(timeout)));
  }

  /**
   * {@code response}, or {@link Expired} (after running {@code onExpired}, e.g. a reset) when it
   * does not arrive in time. Completes on the thread the response arrives on.
   */
  public <T> Future<T> race(Future<T> response, Runnable onExpired) {
    Promise<T> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            timeout.toMillis(),
            id -> {
              if (answer.tryFail(new Expired(timeout))) {
                onExpired.run();
              }
            });
    response.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            answer.tryComplete(ar.result());
          } else {
            answer.tryFail(ar.cause());
          }
        });
    return answer.future();
  }

  /** No response headers arrived within the timeout. */
  public static final class Expired extends TimeoutException {
    private static final long serialVersionUID = 1L;

    Expired(Duration timeout) {
      super("no response within " + timeout.toMillis() + " ms");
    }
  }
}
