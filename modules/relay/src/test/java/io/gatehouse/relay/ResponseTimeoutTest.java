package io.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResponseTimeoutTest {
  private Vertx vertx;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // /slow never answers; everything else answers at once.
    server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    r -> {
                      if (!r.path().equals("/slow")) {
                        r.response().end("ok");
                      }
                    })
                .listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aResponseInTimeIsPassedOn() throws Exception {
    HttpClientRequest request = await(open("/fast"));
    request.end();
    ResponseTimeout timeout = new ResponseTimeout(vertx, Duration.ofSeconds(30));
    HttpClientResponse response = await(timeout.race(request, request.response()));
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void missingHeadersFailTheWaitAndResetTheRequest() throws Exception {
    HttpClientRequest request = await(open("/slow"));
    request.end();
    ResponseTimeout timeout = new ResponseTimeout(vertx, Duration.ofMillis(50));
    Future<HttpClientResponse> raced = timeout.race(request, request.response());
    assertThatThrownBy(() -> await(raced))
        .hasCauseInstanceOf(ResponseTimeout.Expired.class)
        .hasMessageContaining("no response within 50 ms");
    // The reset fails the request's own response too, so its connection is not left waiting.
    assertThatThrownBy(() -> await(request.response())).isInstanceOf(ExecutionException.class);
  }

  @Test
  void theAgentsWaitOutlastsTheUpstreamsByDefault() {
    assertThat(ResponseTimeout.AGENT_DEFAULT).isGreaterThan(ResponseTimeout.UPSTREAM_DEFAULT);
  }

  private Future<HttpClientRequest> open(String path) {
    return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
