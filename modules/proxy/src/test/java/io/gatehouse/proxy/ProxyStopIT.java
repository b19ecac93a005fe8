package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.HostPort;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A proxy's graceful stop (what SIGTERM runs) with {@code proxy.shutdown_delay}: {@code /readyz}
 * answers 503 at once, so that a load balancer takes the proxy out of rotation, while users, the
 * API and app traffic are served as before until the delay has passed; only then does the port
 * close. What the chaos suite's rolling restart needs: without it, connections the balancer sent
 * before its next health check found the listener closing.
 */
class ProxyStopIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();
  private static final Duration DELAY = Duration.ofSeconds(2);

  @Test
  void stopAnswersNotReadyAndServesOnForTheShutdownDelay() throws Exception {
    Proxy proxy = cluster.proxy("proxy-stop", "shutdown_delay: " + DELAY.toMillis() + "ms");
    HostPort at = proxy.webAddress();
    int upstream = web.upstream(req -> req.response().end("hello " + req.path())).actualPort();
    cluster.agent(
        "agent-stop",
        """
        app_service:
          apps:
            - { name: web, uri: "http://127.0.0.1:%d" }
        """
            .formatted(upstream));
    cluster.awaitReady(at);
    cluster.awaitHealthy(at, "app", "web", 1);

    long began = System.nanoTime();
    CompletableFuture<Void> stopped = CompletableFuture.runAsync(proxy::close);
    Eventually.within(Cluster.WAIT).until(() -> web.get(at, "/readyz").status() == 503);
    JsonObject ready = web.get(at, "/readyz").json();
    assertThat(ready.getBoolean("ready")).isFalse();
    assertThat(ready.getBoolean("stopping")).isTrue();
    assertThat(proxy.isReady()).isFalse();

    // Still serving everyone a balancer sent before it noticed.
    assertThat(web.get(at, "/healthz").status()).isEqualTo(200);
    assertThat(web.get(at, "/v1/resources").status()).isEqualTo(200);
    Web.Response app = web.app(at, "web", "/during-the-delay", null);
    assertThat(app.status()).as(app.body()).isEqualTo(200);
    assertThat(app.body()).isEqualTo("hello /during-the-delay");
    assertThat(stopped).isNotDone();

    stopped.get(Cluster.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(DELAY);
    assertThat(refused(at)).as("the port is closed once the proxy stopped").isTrue();
  }

  private static boolean refused(HostPort at) {
    try {
      new Socket(at.host(), at.port()).close();
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
