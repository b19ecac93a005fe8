package io.gatehouse.agent.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.HealthCheck;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.catalog.Served;
import io.gatehouse.events.ResourceKind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link UpstreamProbe} against real loopback listeners. */
class UpstreamProbeTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void upstreamThatNeverAnswersTimesOutOnTheCallersContext() throws Exception {
    // Accepted by the kernel (the backlog), never read: an HTTP check gets no answer.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Served served = app("http://127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(300));
      UpstreamProbe probe = new UpstreamProbe(vertx, null);
      Context context = vertx.getOrCreateContext();
      CompletableFuture<AsyncResult<String>> outcome = new CompletableFuture<>();
      CompletableFuture<Boolean> onContext = new CompletableFuture<>();
      long start = System.nanoTime();
      context.runOnContext(
          v ->
              probe
                  .check(served, "app/silent")
                  .onComplete(
                      ar -> {
                        onContext.complete(Vertx.currentContext() == context);
                        outcome.complete(ar);
                      }));

      AsyncResult<String> result = outcome.get(10, TimeUnit.SECONDS);
      assertThat(result.failed()).isTrue();
      assertThat(result.cause())
          .isInstanceOf(TimeoutException.class)
          .hasMessage("no answer within 300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(onContext.get()).as("completed on the health checks' context").isTrue();
    }
  }

  @Test
  void listenerThatAcceptsIsConnectedOnTheCallersContext() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Served served =
          new Served(
              resource(ResourceKind.DB, "127.0.0.1:" + listener.getLocalPort()),
              Upstream.of(ResourceKind.DB, "127.0.0.1:" + listener.getLocalPort()),
              check(Duration.ofSeconds(2)));
      UpstreamProbe probe = new UpstreamProbe(vertx, null);
      Context context = vertx.getOrCreateContext();
      CompletableFuture<String> outcome = new CompletableFuture<>();
      context.runOnContext(
          v ->
              probe
                  .check(served, "db/pg")
                  .onComplete(
                      ar -> {
                        if (Vertx.currentContext() != context) {
                          outcome.completeExceptionally(new AssertionError("not on the context"));
                        } else if (ar.succeeded()) {
                          outcome.complete(ar.result());
                        } else {
                          outcome.completeExceptionally(ar.cause());
                        }
                      }));

      assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("connected");
    }
  }

  private static Served app(String uri, Duration timeout) {
    return new Served(
        resource(ResourceKind.APP, uri), Upstream.of(ResourceKind.APP, uri), check(timeout));
  }

  private static ServedResource resource(ResourceKind kind, String uri) {
    return new ServedResource(
        kind, "silent", Map.of(), uri, Optional.empty(), ServedResource.Origin.STATIC);
  }

  private static HealthCheck check(Duration timeout) {
    return new HealthCheck(
        true, Duration.ofSeconds(5), timeout, 2, 1, Optional.empty(), OptionalInt.empty());
  }
}
