package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent that listens on nothing (it only dials out: {@code AgentTunnelIT} checks its sockets)
 * serves HTTP, WebSocket and TCP sessions through either of two proxies, each over the tunnel the
 * agent keeps to it.
 */
class TwoProxiesIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();
  private static final Duration WAIT = Cluster.WAIT;

  private static List<HostPort> proxies;
  private static Agent agent;

  @BeforeAll
  static void start() {
    HttpServer upstream =
        web.upstream(
            req -> req.response().end("hello " + req.path()),
            ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo " + m)));
    NetServer echo =
        Web.await(
            web.vertx()
                .createNetServer()
                .connectHandler(socket -> socket.pipeTo(socket))
                .listen(0, "127.0.0.1"));
    proxies =
        List.of(
            cluster.proxy("proxy-two-a").webAddress(), cluster.proxy("proxy-two-b").webAddress());
    agent =
        cluster.agent(
            "agent-two",
            """
            app_service:
              apps:
                - { name: site, uri: "http://127.0.0.1:%d" }
                - { name: echo, uri: "tcp://127.0.0.1:%d" }
            """
                .formatted(upstream.actualPort(), echo.actualPort()));
    Eventually.within(WAIT).until(() -> agent.connectedProxies().size() == 2);
    for (HostPort proxy : proxies) {
      cluster.awaitHealthy(proxy, "app", "site", 1);
      cluster.awaitHealthy(proxy, "app", "echo", 1);
    }
  }

  @Test
  void httpThroughEitherProxy() {
    for (HostPort proxy : proxies) {
      Web.Response r = web.app(proxy, "site", "/hi", null);
      assertThat(r.status()).as(proxy.toString()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello /hi");
      assertThat(r.agent()).isEqualTo("agent-two");
    }
  }

  @Test
  void webSocketThroughEitherProxy() throws Exception {
    for (HostPort proxy : proxies) {
      WebSocketClient client = web.vertx().createWebSocketClient(web.webSocketOptions());
      WebSocket ws =
          Web.await(
              client.connect(
                  new WebSocketConnectOptions()
                      .setHost(proxy.host())
                      .setPort(proxy.port())
                      .setURI("/ws")
                      .addHeader("Host", "site.localhost:" + proxy.port())
                      .addHeader("Gatehouse-Authorization", "Bearer " + web.bearer())));
      CompletableFuture<String> reply = new CompletableFuture<>();
      ws.textMessageHandler(reply::complete);
      ws.writeTextMessage("ping " + proxy.port());
      assertThat(reply.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo("echo ping " + proxy.port());
      Web.await(ws.close());
      Web.await(client.close());
    }
  }

  @Test
  void tcpThroughEitherProxy() throws Exception {
    for (HostPort proxy : proxies) {
      try (Socket socket =
          TunnelClient.open(
              proxy, web.tls(), ResourceKind.APP, "echo", web.bearer(), Duration.ofSeconds(5))) {
        socket.setSoTimeout((int) WAIT.toMillis());
        byte[] line = ("through " + proxy + "\n").getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(line);
        out.flush();
        InputStream in = socket.getInputStream();
        assertThat(in.readNBytes(line.length)).isEqualTo(line);
      }
    }
  }
}
