package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.profile.Profile;
import io.gatehouse.lifecycle.Closer;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.testkit.Eventually;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse lock}, {@code lock rm}, {@code tokens add|ls|rm} and {@code logout} through a
 * user's profile (no {@code -c}), against a real broker and proxy: the operator bootstraps the
 * first admin with {@code users add -c proxy.yaml}, everything after goes through the API.
 */
class ProfileOperationsIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @TempDir static Path dir;

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Closer closer = new Closer();
  private static Path config;
  private static Path caFile;
  private static String url;
  private static Path admin;
  private static Path bob;

  @BeforeAll
  static void start() throws Exception {
    Path caDir = dir.resolve("ca");
    ClusterCa.init(caDir, Clock.systemUTC(), new SecureRandom());
    caFile = caDir.resolve(ClusterCa.CERT_FILE);
    config =
        Files.writeString(
            dir.resolve("proxy.yaml"),
            """
            proxy:
              id: proxy-profile-ops
              kafka: { bootstrap: "%s" }
              data_dir: "%s"
              ca: { dir: "%s" }
              listen: "127.0.0.1:0"
              public_host: localhost
              topic_prefix: %s
            """
                .formatted(
                    kafka.bootstrapServers(),
                    dir.resolve("proxy"),
                    caDir,
                    kafka.uniquePrefix("ops").replaceAll("\\.$", "")));
    Proxy proxy = closer.register(Proxy.start(ProxyConfig.load(config)));
    url = "https://localhost:" + proxy.webAddress().port();
    ok(
        Invocation.runWithInput(
            "the first admin's password\n",
            "users",
            "add",
            "root",
            "--roles",
            "admin",
            "--password-stdin",
            "-c",
            config.toString()));
    admin = login("root", "the first admin's password");
    ok(
        Invocation.runWithInput(
            "bob's long password\n",
            "users",
            "add",
            "bob",
            "--roles",
            "dev",
            "--password-stdin",
            "--profile",
            admin.toString()));
    bob = login("bob", "bob's long password");
  }

  @AfterAll
  static void stop() {
    closer.close(e -> new IllegalStateException("closing the proxy failed", e));
  }

  /** Logs {@code user} in, once the proxy has read the user, into a profile of their own. */
  private static Path login(String user, String password) {
    return login(user, password, user + ".profile");
  }

  private static Path login(String user, String password, String file) {
    Path profile = dir.resolve(file);
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                ok(
                    Invocation.runWithInput(
                        password + "\n",
                        "login",
                        "--proxy",
                        url,
                        "--ca-file",
                        caFile.toString(),
                        "--user",
                        user,
                        "--password-stdin",
                        "--profile",
                        profile.toString())));
    return profile;
  }

  private static Invocation ok(Invocation r) {
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    return r;
  }

  private static Invocation as(Path profile, String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--profile";
    all[args.length + 1] = profile.toString();
    return Invocation.run(all);
  }

  @Test
  void lockAndLockRmWorkThroughTheProfileAndShowTheApisRefusals() {
    assertThat(ok(as(admin, "lock", "user/bob", "--reason", "on leave")).out())
        .contains("locked user/bob on every proxy");
    Invocation refused = as(bob, "status");
    assertThat(refused.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(refused.err()).contains("user/bob is locked (on leave)");
    assertThat(ok(as(admin, "lock", "ls")).out()).containsPattern("user/bob\\s+on leave\\s+root");

    assertThat(ok(as(admin, "lock", "rm", "user/bob")).out()).contains("unlocked user/bob");
    ok(as(bob, "status"));
    Invocation again = as(admin, "lock", "rm", "user/bob");
    assertThat(again.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(again.err()).contains("user/bob is not locked", "DELETE /v1/locks/user/bob");

    Invocation self = as(admin, "lock", "user/root");
    assertThat(self.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(self.err()).contains("cannot lock yourself");
    Invocation denied = as(bob, "lock", "agent/agent-1");
    assertThat(denied.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(denied.err()).contains("no role of bob allows create locks");
    Invocation bad = as(admin, "lock", "printer/hp");
    assertThat(bad.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(bad.err()).contains("agent/ID", "user/NAME");
  }

  @Test
  void tokensAreIssuedListedAndRemovedThroughTheProfile() throws Exception {
    Invocation added =
        ok(as(admin, "tokens", "add", "--kinds", "app,db", "--uses", "1", "--format", "json"));
    JsonNode t = JSON.readTree(added.out());
    String token = t.get("token").asText();
    String id = t.get("id").asText();
    assertThat(token).matches("gh-join-[0-9a-f]{64}");
    assertThat(t.get("ca_pin").asText()).startsWith("sha256:");
    assertThat(ok(as(admin, "tokens", "add", "--kinds", "kube")).out())
        .contains("kinds:   kube", "uses:    0/unlimited", "(in 30m)", "CA pin:  sha256:");

    Invocation ls = ok(as(admin, "tokens", "ls"));
    assertThat(ls.out()).contains(id, "app,db", "0/1", "active", "root").doesNotContain(token);
    // The operator's path sees what the API wrote.
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(ok(Invocation.run("tokens", "ls", "-c", config.toString())).out())
                    .contains(id));

    assertThat(ok(as(admin, "tokens", "rm", id)).out()).contains("removed join token " + id);
    assertThat(ok(as(admin, "tokens", "ls", "--format", "json")).out()).doesNotContain(id);
    Invocation again = as(admin, "tokens", "rm", id);
    assertThat(again.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(again.err()).contains("no join token with id '" + id + "'");
    Invocation denied = as(bob, "tokens", "ls");
    assertThat(denied.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(denied.err()).contains("no role of bob allows list tokens");
  }

  @Test
  void logoutRevokesTheCredentialOnTheProxyThenRemovesIt() throws Exception {
    Path laptop = login("bob", "bob's long password", "laptop.profile");
    Path copy = dir.resolve("copy.profile");
    Files.copy(laptop, copy);

    Invocation out = ok(as(laptop, "logout"));
    assertThat(out.out())
        .contains("the credential is revoked on every proxy of " + url, "credential removed");
    assertThat(Profile.read(laptop).token()).isEmpty();
    Invocation stolen = as(copy, "status");
    assertThat(stolen.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(stolen.err()).contains("revoked");

    // A proxy that does not answer: the credential is forgotten all the same, with a warning.
    Profile.read(copy).withProxy(java.net.URI.create("https://127.0.0.1:1")).write(copy, "test");
    Invocation offline = ok(as(copy, "logout"));
    assertThat(offline.out()).contains("warning: the proxy did not revoke", "credential removed");
    assertThat(ok(as(copy, "logout")).out()).contains("not logged in");
  }
}
