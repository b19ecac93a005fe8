package io.gatehouse.bench.suite;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The suite's user, {@code bench} with role {@code admin}, made and logged in as an operator would.
 */
final class BenchUser {
  private BenchUser() {}

  /**
   * Makes the user ({@code gatehouse users add … -c proxy.yaml}) and logs in as it ({@code POST
   * /v1/login} on {@code proxyPort}); returns the credential.
   */
  static String login(Path work, Launcher launcher, Path proxyConf, HttpClient http, int proxyPort)
      throws IOException {
    String password = "bench-" + java.util.UUID.randomUUID();
    Path input = work.resolve("bench-password");
    Files.writeString(input, password + "\n");
    List<String> add =
        launcher.gatehouse(
            "users",
            "add",
            "bench",
            "--roles",
            "admin",
            "--password-stdin",
            "-c",
            proxyConf.toString());
    Process p =
        new ProcessBuilder(add)
            .redirectInput(input.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("users-add.log").toFile())
            .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "gatehouse users add failed: " + Files.readString(work.resolve("users-add.log")));
      }
      String body = new JsonObject().put("user", "bench").put("password", password).encode();
      // The proxy reads the user from Kafka a moment after it was written. Few, spaced tries:
      // failed logins are throttled (5 in 5 minutes), which a fast poll would run into.
      HttpResponse<String> r = null;
      for (int attempt = 0; attempt < 4; attempt++) {
        r =
            http.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxyPort + "/v1/login"))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return new JsonObject(r.body()).getString("token");
        }
        LockSupport.parkNanos(Duration.ofMillis(500L << attempt).toNanos());
      }
      throw new IOException("login as bench answered " + r.statusCode() + ": " + r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted logging in", e);
    }
  }
}
