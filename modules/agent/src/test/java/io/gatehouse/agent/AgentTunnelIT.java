package io.gatehouse.agent;

import static io.gatehouse.agent.TestProxy.WAIT;
import static io.gatehouse.agent.TestProxy.await;
import static io.gatehouse.agent.TestProxy.sessionHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.agent.TestProxy.Session;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.relay.Wire;
import io.gatehouse.relay.tunnel.Tunnel;
import io.gatehouse.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents dial out (issue 12): an agent opens no port for proxies, keeps one mutual-TLS tunnel to
 * its proxy and redials it, serves sessions only to a proxy of its own cluster, and will not start
 * without credentials that name it.
 */
class AgentTunnelIT {
  @TempDir Path dir;

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    cleanup.add(() -> await(vertx.close()));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private TestProxy proxy(TestProxy proxy) {
    cleanup.add(proxy);
    return proxy;
  }

  private String yaml(String id, HostPort proxy, Path dataDir, String services) {
    return """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
        %s
        """
        .formatted(id, proxy, dataDir, services);
  }

  private Agent start(String id, HostPort proxy, Path dataDir, String services) {
    Agent agent =
        Agent.builder(AgentConfig.parse(yaml(id, proxy, dataDir, services), id + ".yaml"))
            .meterRegistry(new SimpleMeterRegistry())
            .start();
    cleanup.add(agent::kill);
    return agent;
  }

  @Test
  void anAgentWithNoListeningSocketAtAllServesHttpWebSocketAndTcpSessions() throws Exception {
    HttpServer web =
        await(
            vertx
                .createHttpServer()
                .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
                .requestHandler(req -> req.response().end("hello from " + req.path()))
                .listen(0, "127.0.0.1"));
    NetServer echo =
        await(
            vertx
                .createNetServer()
                .connectHandler(socket -> socket.pipeTo(socket))
                .listen(0, "127.0.0.1"));
    TestProxy proxy = proxy(TestProxy.start(dir.resolve("ca")));
    Path dataDir = proxy.provision("agent-out", dir.resolve("agent"));
    Map<String, Integer> before = ListeningSockets.ofThisProcess();
    assertThat(before)
        .as("the probe sees this process's own listeners, the proxy's among them")
        .containsValue(proxy.address().port());

    Agent agent =
        start(
            "agent-out",
            proxy.address(),
            dataDir,
            """
            app_service:
              apps:
                - { name: web, uri: "http://127.0.0.1:%d" }
                - { name: echo, uri: "tcp://127.0.0.1:%d" }
            """
                .formatted(web.actualPort(), echo.actualPort()));
    proxy.awaitTunnel("agent-out");
    // The proxy may see the tunnel a moment before the agent has recorded it.
    Eventually.within(WAIT)
        .untilAsserted(() -> assertThat(agent.connectedProxies()).containsExactly(proxy.address()));

    Session http = proxy.send("agent-out", HttpMethod.GET, "/hi", sessionHeaders("app/web"));
    assertThat(http.status()).isEqualTo(200);
    assertThat(http.body()).isEqualTo("hello from /hi");

    Session ws =
        proxy.open(
            "agent-out",
            HttpMethod.GET,
            "/ws",
            sessionHeaders("app/web")
                .set(Wire.UPGRADE, "websocket")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .set("Sec-WebSocket-Version", "13"));
    assertThat(ws.header(Wire.UPGRADED)).isEqualToIgnoringCase("websocket");
    ws.write(WebSocketFrames.maskedText("over the tunnel"));
    assertThat(WebSocketFrames.unmaskedText(ws.awaitReceived(2 + 15))).isEqualTo("over the tunnel");

    Session tcp = proxy.openTcp("agent-out", "app/echo");
    assertThat(tcp.status()).isEqualTo(200);
    tcp.write("raw bytes");
    assertThat(new String(tcp.awaitReceived(9), StandardCharsets.UTF_8)).isEqualTo("raw bytes");

    Map<String, Integer> opened = ListeningSockets.ofThisProcess();
    opened.keySet().removeAll(before.keySet());
    assertThat(opened).as("listening sockets the agent opened (inode -> port)").isEmpty();
  }

  @Test
  void aProxyWithACertificateFromAnotherCaIsNeverServed() {
    ClusterCa agentsCa = ClusterCa.init(dir.resolve("ca"), Clock.systemUTC(), new SecureRandom());
    ClusterCa otherCa =
        ClusterCa.init(dir.resolve("other-ca"), Clock.systemUTC(), new SecureRandom());
    // It would accept the agent; the agent must not accept it.
    TestProxy impostor = proxy(TestProxy.start(agentsCa, TestProxy.proxyCertificate(otherCa)));
    Path dataDir = provision(agentsCa, "agent-wary", dir.resolve("agent"));

    Agent agent = start("agent-wary", impostor.address(), dataDir, "");

    assertRefusedAndRetried(impostor, agent);
  }

  @Test
  void aProxyPresentingAnAgentCertificateIsNeverServed() {
    ClusterCa ca = ClusterCa.init(dir.resolve("ca"), Clock.systemUTC(), new SecureRandom());
    AgentCredentials posing =
        AgentCredentials.issue(
            ca, "agent-posing", TestProxy.ALL_KINDS, Duration.ofHours(1), new SecureRandom());
    TestProxy impostor = proxy(TestProxy.start(ca, posing.own()));
    Path dataDir = provision(ca, "agent-wary", dir.resolve("agent"));

    Agent agent = start("agent-wary", impostor.address(), dataDir, "");

    assertRefusedAndRetried(impostor, agent);
  }

  private static Path provision(ClusterCa ca, String agentId, Path dataDir) {
    AgentCredentials.issue(
            ca, agentId, TestProxy.ALL_KINDS, Duration.ofHours(1), new SecureRandom())
        .write(dataDir);
    return dataDir;
  }

  /** The agent dialed more than once (it logs why and retries) but never opened a tunnel. */
  private static void assertRefusedAndRetried(TestProxy impostor, Agent agent) {
    Eventually.within(WAIT).until(() -> impostor.connections() >= 2);
    assertThat(impostor.tunnelsAccepted()).isZero();
    assertThat(agent.connectedProxies()).isEmpty();
  }

  @Test
  void startWithoutCredentialsFailsNamingTheFileAndTheJoin() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("agent"));

    assertThatThrownBy(() -> start("agent-new", new HostPort("127.0.0.1", 1), empty, ""))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("agent agent-new has no agent.crt in " + empty)
        .hasMessageContaining("agent.join");
  }

  @Test
  void startRefusesCredentialsThatNameAnotherAgent() {
    ClusterCa ca = ClusterCa.init(dir.resolve("ca"), Clock.systemUTC(), new SecureRandom());
    Path dataDir = provision(ca, "agent-other", dir.resolve("agent"));

    assertThatThrownBy(() -> start("agent-mine", new HostPort("127.0.0.1", 1), dataDir, ""))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining(
            dataDir.resolve("agent.crt") + " names agent agent-other, not agent agent-mine");
  }

  @Test
  void theTunnelIsRedialedWithinSecondsAfterTheProxyClosesIt() {
    HttpServer web =
        await(
            vertx
                .createHttpServer()
                .requestHandler(req -> req.response().end("still here"))
                .listen(0, "127.0.0.1"));
    TestProxy proxy = proxy(TestProxy.start(dir.resolve("ca")));
    Path dataDir = proxy.provision("agent-back", dir.resolve("agent"));
    start(
        "agent-back",
        proxy.address(),
        dataDir,
        "app_service: { apps: [ { name: web, uri: 'http://127.0.0.1:%d' } ] }"
            .formatted(web.actualPort()));
    Tunnel first = proxy.awaitTunnel("agent-back");

    first.close();

    // The first retry comes after 100 ms or so, jittered; a few seconds is plenty.
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> proxy.tunnel("agent-back").filter(t -> t != first).isPresent());
    assertThat(proxy.tunnelsAccepted()).isEqualTo(2);
    Session session = proxy.send("agent-back", HttpMethod.GET, "/", sessionHeaders("app/web"));
    assertThat(session.body()).isEqualTo("still here");
  }

  @Test
  void aStoppingAgentRefusesNewSessionsAsDrainingWhileOpenOnesGoOn() throws Exception {
    NetServer echo =
        await(
            vertx
                .createNetServer()
                .connectHandler(socket -> socket.pipeTo(socket))
                .listen(0, "127.0.0.1"));
    TestProxy proxy = proxy(TestProxy.start(dir.resolve("ca")));
    Path dataDir = proxy.provision("agent-drain", dir.resolve("agent"));
    Agent agent =
        Agent.builder(
                AgentConfig.parse(
                    yaml(
                            "agent-drain",
                            proxy.address(),
                            dataDir,
                            "app_service: { apps: [ { name: echo, uri: 'tcp://127.0.0.1:%d' } ] }"
                                .formatted(echo.actualPort()))
                        .replace(
                            "agent:\n", "agent:\n  shutdown_timeout: 3s\n  drain_timeout: 2s\n"),
                    "drain.yaml"))
            .meterRegistry(new SimpleMeterRegistry())
            .start();
    cleanup.add(agent::kill);
    Session open = proxy.openTcp("agent-drain", "app/echo");
    assertThat(open.status()).isEqualTo(200);

    // The session stays open, so the agent drains for all of drain_timeout with its tunnel up, and
    // then waits out shutdown_timeout, as the test proxy never confirms the goodbye.
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(agent::close);
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Session refused =
                  proxy.send(
                      "agent-drain", HttpMethod.POST, Wire.TUNNEL_PATH, sessionHeaders("app/echo"));
              assertThat(refused.status()).isEqualTo(503);
              assertThat(refused.header(Wire.ERROR)).isEqualTo("draining");
              assertThat(refused.body())
                  .isEqualTo("agent agent-drain: app/echo: shutting down; try another agent\n");
            });
    open.write("still relayed");
    assertThat(new String(open.awaitReceived(13), StandardCharsets.UTF_8))
        .isEqualTo("still relayed");

    stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // Closing the agent ends its sessions (ended or reset, depending on which goes first).
    Eventually.within(WAIT).until(() -> open.ended().isDone());
    Eventually.within(WAIT).until(() -> proxy.tunnel("agent-drain").isEmpty());
  }

  /** The TCP sockets this process listens on, from {@code /proc}, by socket inode. */
  static final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    /**
     * Inode to port of every LISTEN socket, IPv4 or IPv6, held by one of this process's file
     * descriptors. {@code /proc/self/net/tcp} lists the whole network namespace (other processes
     * too), hence the match with our descriptors.
     */
    static Map<String, Integer> ofThisProcess() {
      Set<String> ours = socketInodes();
      Map<String, Integer> listening = new HashMap<>();
      for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
        try (Stream<String> lines = Files.lines(Path.of(table))) {
          lines
              .skip(1)
              .map(line -> line.trim().split("\\s+"))
              .filter(f -> f[3].equals(LISTEN) && ours.contains(f[9]))
              .forEach(f -> listening.put(f[9], port(f[1])));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return listening;
    }

    /** {@code local_address} is {@code HEXADDR:HEXPORT}. */
    private static int port(String localAddress) {
      return Integer.parseInt(localAddress.substring(localAddress.lastIndexOf(':') + 1), 16);
    }

    private static Set<String> socketInodes() {
      Set<String> inodes = new HashSet<>();
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        fds.forEach(
            fd -> {
              try {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:[")) {
                  inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
              } catch (IOException e) {
                // Closed while we looked: not a socket we hold.
              }
            });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return inodes;
    }
  }
}
