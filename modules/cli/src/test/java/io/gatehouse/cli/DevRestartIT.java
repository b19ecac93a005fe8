package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.AgentCredentials;
import io.gatehouse.cli.dev.DevStack;
import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.testkit.Eventually;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode keeps what was created, and its cluster CA, when it is restarted on the same data
 * directory.
 */
class DevRestartIT {
  @TempDir Path dir;

  @Test
  void restartWithTheSameDataDirKeepsDynamicResourcesTheCaAndTheJoinedAgent() throws IOException {
    Path data = dir.resolve("data");
    // Fixed ports: the restarted broker must be where the stored metadata says it was.
    DevStack.Settings settings = new DevStack.Settings(0, freePort(), data, 1, 0, 0);
    Path file = dir.resolve("kept.yaml");
    Files.writeString(
        file,
        "kind: db\nversion: v1\nmetadata: { name: kept, labels: { env: dev } }\nspec: { uri: \"tcp://192.0.2.1:5432\", protocol: postgres }\n");

    CaPin pin;
    List<String> firstStart = new CopyOnWriteArrayList<>();
    try (DevStack first = DevStack.start(settings, firstStart::add)) {
      first.awaitReady(Duration.ofSeconds(60));
      pin = first.ca().pin();
      assertThat(run(first, "create", "-f", file.toString())).contains("db/kept created");
    }
    byte[] caKey = Files.readAllBytes(data.resolve("ca").resolve(ClusterCa.KEY_FILE));
    assertThat(firstStart)
        .as("a dev agent joins as any agent does, on its first start")
        .anyMatch(line -> line.startsWith("dev-agent-1 joins with a one-use token"));
    Path agentCert = data.resolve("agent-1").resolve(AgentCredentials.CERT_FILE);
    byte[] joined = Files.readAllBytes(agentCert);

    List<String> secondStart = new CopyOnWriteArrayList<>();
    try (DevStack second = DevStack.start(settings, secondStart::add)) {
      second.awaitReady(Duration.ofSeconds(60));
      assertThat(second.ca().pin()).isEqualTo(pin);
      assertThat(secondStart)
          .as("a restart reuses the stored certificate: no token, no join")
          .noneMatch(line -> line.contains("joins with"));
      assertThat(Files.readAllBytes(agentCert)).isEqualTo(joined);
      assertThat(Files.readAllBytes(data.resolve("ca").resolve(ClusterCa.KEY_FILE)))
          .isEqualTo(caKey);
      Eventually.within(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(run(second, "ls", "dbs"))
                      .containsPattern("kept\\s+db\\s+env=dev\\s+1/1"));
    }
  }

  private static String run(DevStack stack, String... args) {
    StringWriter out = new StringWriter();
    String[] all =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--profile", stack.adminProfile().toString()))
            .toArray(String[]::new);
    Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), all);
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
