package io.gatehouse.agent.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each event loop gets a client of its own, always the same one; other threads share another. */
class LoopClientsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aClientPerEventLoop() throws Exception {
    LoopClients clients = new LoopClients(vertx::createHttpClient);
    ContextInternal a = ((VertxInternal) vertx).createEventLoopContext();
    ContextInternal b = ((VertxInternal) vertx).createEventLoopContext();
    assertThat(a.nettyEventLoop()).isNotSameAs(b.nettyEventLoop());

    HttpClient onA = on(a, clients);
    assertThat(on(a, clients)).isSameAs(onA);
    HttpClient onB = on(b, clients);
    assertThat(onB).isNotSameAs(onA);
    assertThat(clients.loops()).isEqualTo(2);
    assertThat(clients.current()).as("off every loop").isNotIn(onA, onB);
  }

  private static HttpClient on(ContextInternal context, LoopClients clients) throws Exception {
    CompletableFuture<HttpClient> client = new CompletableFuture<>();
    context.runOnContext(v -> client.complete(clients.current()));
    return client.get(10, TimeUnit.SECONDS);
  }
}
