package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode keeps what was created, and its cluster CA, when it is restarted on the same data
 * directory.
 */
class DevRestartIT {
  @TempDir Path dir;

  @Test
  void restartWithTheSameDataDirKeepsDynamicResourcesAndTheCa() throws IOException {
    Path data = dir.resolve("data");
    // Fixed ports: the restarted broker must be where the stored metadata says it was.
    DevStack.Settings settings = new DevStack.Settings(0, freePort(), data, 1, 0, 0);
    Path file = dir.resolve("kept.yaml");
    Files.writeString(
        file,
        "kind: db\nversion: v1\nmetadata: { name: kept, labels: { env: dev } }\nspec: { uri: \"tcp://127.0.0.1:5432\", protocol: postgres }\n");

    CaPin pin;
    try (DevStack first = DevStack.start(settings, line -> {})) {
      first.awaitReady(Duration.ofSeconds(60));
      pin = first.ca().pin();
      assertThat(run(first, "create", "-f", file.toString())).contains("db/kept created");
    }
    byte[] caKey = Files.readAllBytes(data.resolve("ca").resolve(ClusterCa.KEY_FILE));

    try (DevStack second = DevStack.start(settings, line -> {})) {
      second.awaitReady(Duration.ofSeconds(60));
      assertThat(second.ca().pin()).isEqualTo(pin);
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
