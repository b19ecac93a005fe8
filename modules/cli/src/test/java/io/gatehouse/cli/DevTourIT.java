package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.cli.dev.DevStack;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.TlsContexts;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.relay.client.TunnelClient.LocalTunnel;
import io.gatehouse.testkit.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's five-minute tour, step by step, against dev mode: the same commands a person types,
 * through the same picocli entry point, against a real embedded broker, proxy, agents and
 * upstreams.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevTourIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static DevStack stack;
  static Agent third;

  @BeforeAll
  static void startDevMode() {
    stack = DevStack.start(new DevStack.Settings(0, 0, dir.resolve("data"), 2, 0, 0), line -> {});
    stack.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (third != null) {
      third.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  static Invocation gatehouse(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!List.of("audit", "tokens", "lock").contains(args[0])) {
      // What dev mode makes the CLI's default; tests name it, as their home is not a user's.
      all.add("--profile");
      all.add(stack.adminProfile().toString());
    }
    return Invocation.run(all.toArray(String[]::new));
  }

  /** {@code gatehouse tunnel} in this JVM: a local port tunnelled through the dev proxy. */
  static LocalTunnel tunnel(ResourceKind kind, String name, Consumer<String> refusals)
      throws IOException {
    return TunnelClient.listen(
        new HostPort("127.0.0.1", 0),
        stack.proxy().webAddress(),
        TlsContexts.trusting(ClusterCa.readCertificate(stack.caFile().getParent())),
        kind,
        name,
        stack.adminCredential(),
        Duration.ofSeconds(5),
        refusals);
  }

  static Curl.Response curlDemo() throws IOException {
    return Curl.get(
        stack.webUrl(), stack.caFile(), "demo.localhost", "/hello", stack.adminCredential());
  }

  static JsonNode resource(String kind, String name) throws IOException {
    Invocation r = gatehouse("get", kind + "/" + name, "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  @Order(1)
  void listResources() {
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Invocation ls = gatehouse("ls");
              assertThat(ls.code()).isZero();
              assertThat(ls.out())
                  .containsPattern("demo\\s+app\\s+env=dev\\s+2/2")
                  .containsPattern("echo\\s+app\\s+env=dev\\s+2/2");
            });
    Invocation json = gatehouse("ls", "apps", "--format", "json");
    assertThat(json.out()).contains("\"healthyAgents\" : 2");
  }

  @Test
  @Order(2)
  void curlTheDemoApp() throws Exception {
    Curl.Response response = curlDemo();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body())
        .contains("gatehouse demo app", "GET /hello")
        .containsPattern("(?i)via: .*dev-agent-");
  }

  /** Starts the sample agent once the dev proxy has read the new token from its topic. */
  private static Agent joined(Path config) {
    java.util.concurrent.atomic.AtomicReference<Agent> agent =
        new java.util.concurrent.atomic.AtomicReference<>();
    Eventually.within(WAIT).untilAsserted(() -> agent.set(Agent.start(AgentConfig.load(config))));
    return agent.get();
  }

  @Test
  @Order(3)
  void startAThirdAgentFromTheSampleConfig() throws Exception {
    String sample =
        Files.readString(Path.of("../../infra/examples/agent.yaml"))
            .replace("127.0.0.1:9092", stack.kafkaBootstrap())
            .replace("127.0.0.1:3080", stack.proxy().webAddress().toString())
            .replace("./.gatehouse/", dir.resolve("data") + "/")
            .replace("127.0.0.1:3090", "127.0.0.1:" + stack.demoHttpPort())
            .replace("127.0.0.1:3091", "127.0.0.1:" + stack.demoTcpPort());
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, sample);

    // The tour's one-use token, where the sample's join.token_file points.
    Invocation add =
        gatehouse(
            "tokens",
            "add",
            "--kinds",
            "app,db",
            "--uses",
            "1",
            "-c",
            dir.resolve("data/proxy.yaml").toString());
    assertThat(add.code()).as(add.err()).isZero();
    String token =
        add.out()
            .lines()
            .filter(l -> l.startsWith("token:"))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[1];
    Files.writeString(dir.resolve("data/agent-example.token"), token + "\n");

    // It joins through the dev proxy, checking the pin dev mode wrote, and keeps its certificate.
    third = joined(config);
    assertThat(third.config().agent().dataDir()).contains(dir.resolve("data/agent-example"));

    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(resource("app", "demo").get("healthyAgents").asInt()).isEqualTo(3));
    assertThat(gatehouse("agents").out()).contains("agent-example", "dev-agent-1", "dev-agent-2");
  }

  @Test
  @Order(4)
  void stopOneAgentAndTrafficContinues() throws Exception {
    stack.agents().get(0).close();

    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(resource("app", "demo").get("healthyAgents").asInt()).isEqualTo(2));
    for (int i = 0; i < 20; i++) {
      assertThat(curlDemo().status()).isEqualTo(200);
    }
  }

  @Test
  @Order(5)
  void createADynamicResource() throws Exception {
    Path file = dir.resolve("hello.yaml");
    Files.writeString(
        file,
        """
        kind: app
        version: v1
        metadata:
          name: hello
          labels: { env: dev, team: tour }
        spec:
          uri: http://127.0.0.1:%d
        """
            .formatted(stack.demoHttpPort()));

    Invocation created = gatehouse("create", "-f", file.toString());

    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("app/hello created");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(gatehouse("ls", "apps").out())
                    .containsPattern("hello\\s+app\\s+\\S*team=tour\\S*\\s+[1-9]/"));
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        Curl.get(
                                stack.webUrl(),
                                stack.caFile(),
                                "hello.localhost",
                                "/",
                                stack.adminCredential())
                            .status())
                    .isEqualTo(200));
  }

  @Test
  @Order(6)
  void aSecondUserWithANarrowerRoleSeesLessAndIsRefusedTheRest() throws Exception {
    Path role = dir.resolve("tourist.yaml");
    Files.writeString(
        role,
        """
        kind: role
        version: v1
        metadata: { name: tourist }
        spec:
          allow: { app_labels: { env: dev }, rules: [ { resources: [resources], verbs: [list, read] } ] }
          deny:  { app_labels: { team: tour } }
        """);
    Invocation created = gatehouse("create", "-f", role.toString());
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("role/tourist created");
    Invocation added =
        Invocation.runWithInput(
            "a long password for bob\n",
            "users",
            "add",
            "bob",
            "--roles",
            "tourist",
            "--password-stdin",
            "--profile",
            stack.adminProfile().toString());
    assertThat(added.code()).as(added.err()).isZero();
    Path bob = dir.resolve("bob.profile");
    Invocation login =
        Invocation.runWithInput(
            "a long password for bob\n",
            "login",
            "--profile",
            bob.toString(),
            "--proxy",
            stack.webUrl(),
            "--ca-file",
            stack.caFile().toString(),
            "--user",
            "bob",
            "--password-stdin");
    assertThat(login.code()).as(login.err()).isZero();
    assertThat(login.out()).contains("logged in to", "as bob (roles tourist)");

    Invocation ls = Invocation.run("ls", "--profile", bob.toString());
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("demo", "echo").doesNotContain("hello");
    Invocation refused = Invocation.run("get", "app/hello", "--profile", bob.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("bob may not read app/hello", "role tourist denies");
    assertThat(Invocation.run("status", "--profile", bob.toString()).out())
        .contains("user    bob", "roles   tourist");
  }

  @Test
  @Order(7)
  void openAnHttpTunnelAndCurlTheAppThroughIt() throws Exception {
    try (io.gatehouse.cli.client.HttpTunnel tunnel =
        io.gatehouse.cli.client.HttpTunnel.listen(
            new HostPort("127.0.0.1", 0),
            stack.proxy().webAddress(),
            java.util.Optional.of(stack.caFile()),
            "demo.localhost",
            stack.adminCredential(),
            reason -> {})) {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + tunnel.localPort() + "/hello"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      // The demo app echoes the request it got: the user's identity, never their credential.
      assertThat(r.body())
          .contains("gatehouse demo app")
          .containsIgnoringCase("Gatehouse-Jwt-Assertion")
          .doesNotContainIgnoringCase("Gatehouse-Authorization")
          .doesNotContain(stack.adminCredential());
    }
  }

  @Test
  @Order(8)
  void openATunnelAndUseIt() throws Exception {
    try (LocalTunnel tunnel = tunnel(ResourceKind.APP, "echo", reason -> {});
        Socket socket = new Socket("127.0.0.1", tunnel.localPort())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("hello through the tunnel\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      byte[] buf = new byte[25];
      int read = 0;
      while (read < buf.length) {
        int n = in.read(buf, read, buf.length - read);
        assertThat(n).isPositive();
        read += n;
      }
      assertThat(new String(buf, StandardCharsets.UTF_8)).isEqualTo("hello through the tunnel\n");
    }
  }

  @Test
  @Order(9)
  void aRefusedTunnelConnectionReportsTheProxysReason() throws Exception {
    List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (LocalTunnel tunnel = tunnel(ResourceKind.DB, "nope", reasons::add);
        Socket socket = new Socket("127.0.0.1", tunnel.localPort())) {
      assertThat(socket.getInputStream().read()).as("closed at once").isEqualTo(-1);
      Eventually.within(WAIT).until(() -> !reasons.isEmpty());
    }
    assertThat(reasons.get(0)).contains("refused the tunnel to db/nope", "404");
  }

  @Test
  @Order(10)
  void tailTheAuditLog() {
    Invocation audit =
        gatehouse(
            "audit", "tail", "--from-beginning", "--kafka", stack.kafkaBootstrap(), "--count", "3");

    assertThat(audit.code()).as(audit.err()).isZero();
    assertThat(audit.out().lines()).hasSize(3);
    Invocation all =
        gatehouse(
            "audit",
            "tail",
            "--from-beginning",
            "--kafka",
            stack.kafkaBootstrap(),
            "--no-follow",
            "--format",
            "json");
    assertThat(all.out()).contains("\"type\":\"session.start\"", "\"type\":\"resource.create\"");
  }

  @Test
  @Order(11)
  void auditTailShowsSessionsByTheirKeyNeverByTheirId() throws Exception {
    String cookie = curlDemo().sessionCookie();
    assertThat(cookie).matches("[0-9a-f]{32}");
    // Dev mode made the cluster secret in its data directory; the test hashes with it too.
    String key =
        ClusterSecret.read(dir.resolve("data").resolve("ca"))
            .hash(ClusterSecret.Purpose.SESSION, cookie);

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Invocation json =
                  gatehouse(
                      "audit",
                      "tail",
                      "--from-beginning",
                      "--kafka",
                      stack.kafkaBootstrap(),
                      "--no-follow",
                      "--format",
                      "json");
              assertThat(json.code()).as(json.err()).isZero();
              assertThat(json.out())
                  .contains("\"session\":\"" + key.substring(0, 12) + "\"")
                  .contains("\"sessionKey\":\"" + key + "\"")
                  .doesNotContain(cookie);
            });
    Invocation text =
        gatehouse(
            "audit", "tail", "--from-beginning", "--kafka", stack.kafkaBootstrap(), "--no-follow");
    assertThat(text.out()).contains("session=" + key.substring(0, 12)).doesNotContain(cookie);
    Invocation sessions = gatehouse("sessions");
    assertThat(sessions.out()).contains(key.substring(0, 12)).doesNotContain(cookie);
  }

  @Test
  @Order(12)
  void readCommandsPrintTextAndJson() throws Exception {
    assertThat(gatehouse("sessions").out()).contains("SESSION");
    assertThat(JSON.readTree(gatehouse("sessions", "--format", "json").out()).isArray()).isTrue();
    assertThat(JSON.readTree(gatehouse("agents", "--format", "json").out()).isArray()).isTrue();
    assertThat(gatehouse("get", "app/demo").out()).contains("app/demo", "AGENT", "agent-example");
    assertThat(gatehouse("get", "app").out()).contains("demo", "echo", "hello");
  }

  @Test
  @Order(13)
  void createTakesSeveralDocumentsPerFile() throws Exception {
    Path file = dir.resolve("two.yaml");
    Files.writeString(
        file,
        """
        kind: db
        version: v1
        metadata: { name: two-a, labels: { env: dev } }
        spec: { uri: "tcp://127.0.0.1:5432", protocol: postgres }
        ---
        kind: desktop
        version: v1
        metadata: { name: two-b, labels: { env: dev } }
        spec: { uri: "tcp://127.0.0.1:3389", protocol: rdp }
        """);

    Invocation created = gatehouse("create", "-f", file.toString());

    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out().lines()).containsExactly("db/two-a created", "desktop/two-b created");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              assertThat(gatehouse("ls", "dbs").out()).contains("two-a");
              assertThat(gatehouse("ls", "desktops").out()).contains("two-b");
            });
  }

  @Test
  @Order(14)
  void errorPathsGiveTheirExitCodes() throws Exception {
    Invocation unknown = gatehouse("get", "app/nope");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(unknown.err()).startsWith("error: ").contains("nope");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad, "kind: app\nversion: v1\nmetadata: { name: Not_A_Name }\nspec: { uri: http://x }\n");
    Invocation rejected = gatehouse("create", "-f", bad.toString());
    assertThat(rejected.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(rejected.err()).contains("bad.yaml", "name");

    Invocation tunnelUnknown = gatehouse("tunnel", "db/nope", "--port", "0");
    assertThat(tunnelUnknown.code()).isEqualTo(ExitCodes.USER_ERROR);

    Invocation removed = gatehouse("rm", "app/hello");
    assertThat(removed.code()).as(removed.err()).isZero();
    Eventually.within(WAIT)
        .untilAsserted(() -> assertThat(gatehouse("ls", "apps").out()).doesNotContain("hello"));
  }
}
