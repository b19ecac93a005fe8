package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.pki.CaPin;
import io.gatehouse.pki.ClusterCa;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/gatehouse dev} as a newcomer runs it: the launcher finds (or builds) the jar, dev mode
 * prints its ready line, the demo app answers, and SIGTERM stops it cleanly.
 */
class BinGatehouseDevIT {
  @TempDir Path dir;

  @Test
  void devModeReachesReadyServesTheDemoAndStopsOnSigterm() throws Exception {
    Path launcher = Path.of("../../bin/gatehouse").toAbsolutePath().normalize();
    assertThat(Files.isExecutable(launcher)).isTrue();
    int web = freePort();
    int kafka = freePort();
    String demoPorts = freePort() + "," + freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                launcher.toString(),
                "dev",
                "--web-port",
                String.valueOf(web),
                "--kafka-port",
                String.valueOf(kafka),
                "--data-dir",
                dir.resolve("data").toString(),
                "--demo-ports",
                demoPorts)
            .directory(dir.toFile());
    // Its own home, so that dev mode's default profile lands there, not in the tester's home.
    Path home = Files.createDirectories(dir.resolve("home"));
    builder.environment().put("GATEHOUSE_JAVA_OPTS", "-Xmx512m -Duser.home=" + home);
    Process process = builder.redirectError(dir.resolve("stderr.txt").toFile()).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                  if (line.contains("gatehouse dev ready")) {
                    return line;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String line = ready.get(180, TimeUnit.SECONDS);
      Path data = dir.resolve("data").toAbsolutePath();
      Path caFile = data.resolve("ca").resolve("ca.crt");
      assertThat(line)
          .as("stdout %s, stderr %s", lines, Files.readString(dir.resolve("stderr.txt")))
          .contains(
              "https://127.0.0.1:" + web,
              "kafka 127.0.0.1:" + kafka,
              "curl --cacert " + caFile + " -H 'Host: demo.localhost'");
      String pin = CaPin.of(ClusterCa.readCertificate(data.resolve("ca"))).toString();
      assertThat(lines)
          .anyMatch(l -> l.startsWith("CA pin") && l.endsWith(pin))
          .anyMatch(l -> l.startsWith("CA file") && l.endsWith(caFile.toString()))
          .anyMatch(
              l ->
                  l.startsWith("admin profile")
                      && l.contains(data.resolve("admin.profile").toString()));

      // A script reaches an app with the admin profile's credential.
      String token =
          io.gatehouse.cli.profile.Profile.read(data.resolve("admin.profile"))
              .token()
              .orElseThrow();
      Curl.Response demo =
          Curl.get("https://127.0.0.1:" + web, caFile, "demo.localhost", "/", token);
      assertThat(demo.status()).isEqualTo(200);
      assertThat(demo.body()).contains("gatehouse demo app");

      // The CLI finds dev mode through the default profile dev mode wrote into this home.
      Path profile = home.resolve(".gatehouse").resolve("profile");
      assertThat(Files.readString(profile))
          .startsWith("# written by gatehouse dev")
          .contains("https://127.0.0.1:" + web, caFile.toString());
      ProcessBuilder ls =
          new ProcessBuilder(launcher.toString(), "ls")
              .redirectErrorStream(true)
              .directory(dir.toFile());
      ls.environment().put("GATEHOUSE_JAVA_OPTS", "-Xmx256m -Duser.home=" + home);
      Process listing = ls.start();
      String listed = new String(listing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(listing.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(listing.exitValue()).as(listed).isZero();
      assertThat(listed).contains("demo");

      process.destroy(); // SIGTERM, as Ctrl-C or a service manager would
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("stopping (agents first)");
    } finally {
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
