package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining an agent that runs as its own OS process ({@code gatehouse agent -c agent.yaml}, from
 * the packaged jar): SIGTERM and {@code gatehouse agents drain ID} both take it out of rotation at
 * once, keep its open TCP session going, show it in {@code gatehouse agents ls} as draining with
 * the session it has left, and end with the process exiting once that session's client closed.
 */
class AgentDrainProcessIT {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path dir;

  private static final Closer closer = new Closer();
  private static Proxy proxy;
  private static SSLContext tls;
  private static String token;
  private static Path profile;
  private static ClusterCa ca;
  private static int echoPort;

  @BeforeAll
  static void cluster() throws Exception {
    String prefix = kafka.uniquePrefix("drainproc").replaceAll("\\.$", "");
    Path caDir = dir.resolve("ca");
    ca = ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
    tls = TlsContexts.trusting(ca.certificate());
    proxy =
        closer.register(
            Proxy.start(
                ProxyConfig.parse(
                    """
                    proxy:
                      id: proxy-drain
                      kafka: { bootstrap: "%s" }
                      data_dir: "%s"
                      ca: { dir: "%s" }
                      listen: "127.0.0.1:0"
                      public_host: localhost
                      topic_prefix: %s
                    """
                        .formatted(kafka.bootstrapServers(), dir.resolve("proxy"), caDir, prefix),
                    "proxy.yaml")));
    proxy
        .accounts()
        .put("admin", List.of("admin"), null, "test")
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    Eventually.within(SETTLE).until(() -> proxy.accounts().knows("admin"));
    token = proxy.accounts().credential("admin", Duration.ofHours(1));
    profile = dir.resolve("admin.profile");
    Files.writeString(
        profile,
        "proxy: https://%s\nca_file: %s\ntoken: %s\n"
            .formatted(proxy.webAddress(), caDir.resolve(ClusterCa.CERT_FILE), token));
    Files.setPosixFilePermissions(profile, PosixFilePermissions.fromString("rw-------"));
    echoPort = echo();
  }

  @AfterAll
  static void stop() {
    closer.close(e -> new IllegalStateException("stopping the drain cluster failed", e));
  }

  /** A TCP upstream that sends back what it reads, a thread per connection. */
  private static int echo() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closer.register(server);
    Thread accept =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  Thread relay =
                      new Thread(
                          () -> {
                            try (s) {
                              s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException e) {
                              // The tunnel closed it.
                            }
                          });
                  relay.setDaemon(true);
                  relay.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "drain-echo");
    accept.setDaemon(true);
    accept.start();
    return server.getLocalPort();
  }

  private static AgentProcess startAgent(String id) throws IOException {
    Path data = dir.resolve(id);
    AgentCredentials.issue(ca, id, Set.of("app"), Duration.ofHours(1), new SecureRandom())
        .write(data);
    Path config = dir.resolve(id + ".yaml");
    Files.writeString(
        config,
        """
        agent:
          id: %s
          proxy: "%s"
          data_dir: "%s"
          drain_timeout: 1m
        app_service:
          apps:
            - { name: echo-%s, uri: "tcp://127.0.0.1:%d" }
        """
            .formatted(id, proxy.webAddress(), data, id, echoPort));
    AgentProcess agent = AgentProcess.start(id, config, dir.resolve(id + ".log"));
    closer.register(agent);
    Eventually.within(SETTLE).until(() -> healthyAgents("echo-" + id) == 1);
    assertThat(listed(id).path("state").asText()).isEqualTo("serving");
    return agent;
  }

  /** A TCP session to the agent's app, echoing once. */
  private static Socket session(String agentId) throws IOException {
    Socket socket =
        TunnelClient.open(
            proxy.webAddress(),
            tls,
            ResourceKind.APP,
            "echo-" + agentId,
            token,
            Duration.ofSeconds(5));
    socket.setSoTimeout((int) SETTLE.toMillis());
    assertEchoes(socket, "hello");
    return socket;
  }

  private static void assertEchoes(Socket socket, String text) throws IOException {
    byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(line);
    out.flush();
    InputStream in = socket.getInputStream();
    assertThat(in.readNBytes(line.length)).isEqualTo(line);
  }

  private static String gatehouse(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--profile";
    all[args.length + 1] = profile.toString();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    assertThat(code).as("gatehouse %s: %s", String.join(" ", args), err).isZero();
    return out.toString();
  }

  /** How {@code gatehouse agents ls --format json} lists {@code agentId}; null when it does not. */
  private static JsonNode listed(String agentId) {
    try {
      for (JsonNode a : JSON.readTree(gatehouse("agents", "ls", "--format", "json"))) {
        if (agentId.equals(a.path("agent").asText())) {
          return a;
        }
      }
      return null;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** How many healthy agents {@code gatehouse ls --format json} counts for app {@code name}. */
  private static int healthyAgents(String name) {
    try {
      for (JsonNode r : JSON.readTree(gatehouse("ls", "--format", "json"))) {
        if (name.equals(r.path("name").asText())) {
          return r.path("healthyAgents").asInt();
        }
      }
      return 0;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The line {@code gatehouse agents ls} prints for {@code agentId}, after its header. */
  private static String row(String agentId) {
    List<String> lines = gatehouse("agents", "ls").lines().toList();
    assertThat(lines.get(0)).startsWith("AGENT").contains("STATE", "SESSIONS");
    return lines.stream()
        .filter(l -> l.startsWith(agentId + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(agentId + " is not listed"));
  }

  @Test
  void sigtermDrainsTheAgentProcessWhichExitsWhenItsLastSessionCloses() throws Exception {
    AgentProcess agent = startAgent("agent-term");
    try (Socket open = session("agent-term")) {
      agent.terminate();
      Eventually.within(Duration.ofSeconds(1))
          .untilAsserted(() -> assertThat(row("agent-term")).contains("draining"));
      Eventually.within(SETTLE)
          .untilAsserted(
              () ->
                  assertThat(listed("agent-term").path("sessions").asInt(-1))
                      .as("the session it has left")
                      .isEqualTo(1));
      assertEchoes(open, "still relayed");
      assertThat(agent.isAlive()).as("it waits for the open session").isTrue();
    }
    assertThat(agent.awaitExit(SETTLE)).as(agent.tail(20)).isTrue();
  }

  @Test
  void agentsDrainStopsTheAgentProcessOnceItsSessionsEnd() throws Exception {
    AgentProcess agent = startAgent("agent-cmd");
    try (Socket open = session("agent-cmd")) {
      String said = gatehouse("agents", "drain", "agent-cmd");
      assertThat(said).contains("agent agent-cmd is draining: 1 sessions open");
      assertThat(row("agent-cmd")).contains("draining");
      assertEchoes(open, "still relayed");
      assertThat(agent.isAlive()).isTrue();
    }
    assertThat(agent.awaitExit(SETTLE)).as(agent.tail(20)).isTrue();
    assertThat(agent.exitValue()).as("it stopped on its own, not by a signal").isZero();
    assertThat(agent.tail(20)).contains("asks it to drain", "agent agent-cmd stopped");
  }
}
