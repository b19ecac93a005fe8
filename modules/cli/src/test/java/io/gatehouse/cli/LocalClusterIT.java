package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infra/local-cluster up}, a request through its balancer, then {@code down}: three Kafka
 * node processes (SASL_SSL, RF 3, min ISR 2), two proxies behind HAProxy, two agents, as separate
 * processes from the packaged jar; nothing of it is left running afterwards.
 */
class LocalClusterIT {
  private static final Path SCRIPT = Path.of("..", "..", "infra", "local-cluster").toAbsolutePath();
  private static final Path JAR = Path.of("target", "gatehouse.jar").toAbsolutePath();

  @TempDir Path state;
  private int base;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void down() throws Exception {
    // Whatever the test did, nothing it started may outlive it.
    script("down", "--purge");
  }

  @Test
  void upServesAnAppThroughTheBalancerOnAThreeNodeClusterAndDownLeavesNoProcess() throws Exception {
    base = freePortBase();
    Result up = script("up");
    assertThat(up.exit()).as("local-cluster up:\n%s", up.output()).isZero();
    String bootstrap =
        "127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2) + ",127.0.0.1:" + (base + 3);
    String balancer = "https://127.0.0.1:" + (base + 30);
    assertThat(up.output())
        .contains("kafka bootstrap: " + bootstrap)
        .contains("proxy-1: https://127.0.0.1:" + (base + 21))
        .contains("proxy-2: https://127.0.0.1:" + (base + 22))
        .contains("balancer: " + balancer)
        .contains("admin profile: " + state.resolve("admin.profile"));
    try (Stream<Path> files = Files.list(state.resolve("run"))) {
      for (Path pid : files.toList()) {
        pids.add(Long.parseLong(Files.readString(pid).strip()));
      }
    }
    // 3 Kafka nodes, the upstreams, 2 proxies, the balancer, 2 agents.
    assertThat(pids)
        .hasSize(9)
        .allSatisfy(pid -> assertThat(running(pid)).as("pid %d", pid).isTrue());

    Path ca = state.resolve("ca").resolve("ca.crt");
    Curl.Response app = Curl.get(balancer, ca, "demo.gatehouse.localhost", "/hello", adminToken());
    assertThat(app.status()).as(app.head()).isEqualTo(200);
    assertThat(app.body()).contains("gatehouse demo app").contains("GET /hello");
    assertThat(app.body()).containsPattern("(?i)via: .*agent-[12]");

    try (Admin admin = kafkaAdmin(bootstrap)) {
      String sessions = "gatehouse.sessions";
      TopicDescription topic =
          admin
              .describeTopics(List.of(sessions))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(sessions);
      assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, sessions);
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
    }

    Result down = script("down");
    assertThat(down.exit()).as("local-cluster down:\n%s", down.output()).isZero();
    assertThat(pids).allSatisfy(pid -> assertThat(running(pid)).as("pid %d", pid).isFalse());
    try (Stream<Path> files = Files.list(state.resolve("run"))) {
      assertThat(files).as("pid files left").isEmpty();
    }
  }

  /**
   * Whether the process runs: the script's children are re-parented when it exits, and an exited
   * one may stay a zombie until init reaps it, which {@link ProcessHandle} still reports as alive.
   */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }

  private String adminToken() throws IOException {
    for (String line : Files.readAllLines(state.resolve("admin.profile"))) {
      if (line.startsWith("token:")) {
        return line.substring(6).strip().replace("\"", "");
      }
    }
    throw new AssertionError("no token in the admin profile");
  }

  /** Kafka's super user, as the operator's admin.yaml logs in. */
  private Admin kafkaAdmin(String bootstrap) throws IOException {
    String password =
        Files.readString(state.resolve("secrets").resolve("kafka-admin-password")).strip();
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put("security.protocol", "SASL_SSL");
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", state.resolve("kafka-tls").resolve("ca.pem").toString());
    props.put("sasl.mechanism", "SCRAM-SHA-512");
    props.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\""
            + " password=\""
            + password
            + "\";");
    return Admin.create(props);
  }

  private record Result(int exit, String output) {}

  private Result script(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(List.of(args));
    // Kept for a look after the run: target/local-cluster-it.log.
    Path log = Path.of("target", "local-cluster-it.log").toAbsolutePath();
    Files.writeString(
        log,
        "==== local-cluster " + String.join(" ", args) + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    long began = System.nanoTime();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("GATEHOUSE_CLUSTER_DIR", state.toString());
    builder.environment().put("GATEHOUSE_CLUSTER_PORT_BASE", Integer.toString(base));
    builder.environment().put("GATEHOUSE_JAR", JAR.toString());
    Process process = builder.start();
    if (!process.waitFor(150, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "local-cluster " + String.join(" ", args) + " ran over 150 s:\n" + Files.readString(log));
    }
    Files.writeString(
        log,
        "==== " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms\n",
        java.nio.file.StandardOpenOption.APPEND);
    String all = Files.readString(log, StandardCharsets.UTF_8);
    String output = all.substring(all.lastIndexOf("==== local-cluster "));
    return new Result(process.exitValue(), output);
  }

  /** A base B whose ports B+1 to B+41 are free now (the script checks again, naming any taken). */
  private static int freePortBase() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = 20_000 + 100 * ThreadLocalRandom.current().nextInt(200);
      boolean free = true;
      for (int port = candidate + 1; port <= candidate + 41 && free; port++) {
        try (ServerSocket socket = new ServerSocket(port, 1, loopback)) {
          socket.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return candidate;
      }
    }
    throw new IOException("no free range of 41 loopback ports found");
  }
}
