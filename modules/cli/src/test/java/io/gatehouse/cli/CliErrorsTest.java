package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.pki.ClusterCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error paths that need no running system: exit codes and one-line messages, and the proxy's
 * certificate checked against the CA file over real TLS on loopback.
 */
class CliErrorsTest {
  @TempDir Path dir;
  @TempDir static Path caDirs;
  static ClusterCa ca;
  static ClusterCa otherCa;

  @BeforeAll
  static void cas() {
    ca = ClusterCa.init(caDirs.resolve("ca"), Clock.systemUTC(), new SecureRandom());
    otherCa = ClusterCa.init(caDirs.resolve("other"), Clock.systemUTC(), new SecureRandom());
  }

  /** The CA file a profile names. */
  static String caFile() {
    return caDirs.resolve("ca").resolve(ClusterCa.CERT_FILE).toString();
  }

  /** A proxy certificate for 127.0.0.1 (and what every proxy certificate names) from {@code ca}. */
  private static TlsServer proxyOf(ClusterCa issuer, List<String> dns, boolean loopbackIp)
      throws IOException {
    return new TlsServer(
        issuer.issueProxy(
            "test-proxy",
            dns,
            loopbackIp ? List.of(InetAddress.getByName("127.0.0.1")) : List.of(),
            Duration.ofHours(1)),
        issuer.certificate());
  }

  /** The run failed as the user's mistake (exit code 1), saying so in every one of {@code said}. */
  private static void assertUserError(Invocation r, String... said) {
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.USER_ERROR);
    for (String s : said) {
      assertThat(r.err()).contains(s);
    }
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  static String deadProxy() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "https://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void unreachableProxyExitsTwoNamingTheAddress() throws IOException {
    String proxy = deadProxy();

    Invocation r = run("ls", "--proxy", proxy, "--ca-file", caFile());

    assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.err()).startsWith("error: cannot reach proxy at " + proxy);
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void everyProxyCommandReportsAnUnreachableProxyTheSameWay() throws IOException {
    String proxy = deadProxy();
    for (String[] args :
        new String[][] {
          {"agents", "--proxy", proxy},
          {"sessions", "--proxy", proxy},
          {"get", "app/demo", "--proxy", proxy},
          {"rm", "app/demo", "--proxy", proxy},
          {"tunnel", "app/echo", "--port", "0", "--proxy", proxy}
        }) {
      String[] withCa = java.util.Arrays.copyOf(args, args.length + 2);
      withCa[args.length] = "--ca-file";
      withCa[args.length + 1] = caFile();
      assertThat(run(withCa).code()).as(String.join(" ", args)).isEqualTo(ExitCodes.UNREACHABLE);
    }
  }

  @Test
  void aProxyWhoseCertificateChainsToTheCaFileIsTrusted() throws IOException {
    try (TlsServer proxy = proxyOf(ca, List.of("localhost"), true)) {
      Invocation r = run("agents", "--proxy", proxy.url(), "--ca-file", caFile());

      assertThat(r.code()).as(r.err()).isZero();
    }
  }

  @Test
  void aProxyWithAnotherCasCertificateIsNotTrusted() throws IOException {
    try (TlsServer proxy = proxyOf(otherCa, List.of("localhost"), true)) {
      Invocation r = run("agents", "--proxy", proxy.url(), "--ca-file", caFile());

      assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
      assertThat(r.err())
          .startsWith("error: proxy at " + proxy.url() + "/ is not trusted")
          .contains(caFile());
      assertThat(r.err().lines()).hasSize(1);
    }
  }

  @Test
  void aCertificateFromTheRightCaForAnotherHostIsNotTrusted() throws IOException {
    try (TlsServer proxy = proxyOf(ca, List.of("other.example"), false)) {
      Invocation r = run("agents", "--proxy", proxy.url(), "--ca-file", caFile());

      assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
      assertThat(r.err()).contains("is not trusted", "127.0.0.1");
    }
  }

  @Test
  void tunnelChecksTheProxysCertificateToo() throws IOException {
    try (TlsServer proxy = proxyOf(otherCa, List.of("localhost"), true)) {
      Invocation r =
          run("tunnel", "db/pg", "--port", "0", "--proxy", proxy.url(), "--ca-file", caFile());

      assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
      assertThat(r.err()).contains("is not trusted");
    }
  }

  @Test
  void missingCaFileIsAUserErrorNamingIt() {
    Path missing = dir.resolve("nope.crt");

    Invocation r = run("ls", "--proxy", "https://127.0.0.1:1", "--ca-file", missing.toString());

    assertUserError(r, "CA file " + missing + ": no such file");
  }

  @Test
  void withoutACaFileTheSystemStoreIsTrustedAndTheErrorSaysWhereTheClusterCaComesFrom()
      throws IOException {
    try (TlsServer proxy = proxyOf(ca, List.of("localhost"), true)) {
      Invocation r = run("ls", "--proxy", proxy.url());

      assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
      assertThat(r.err())
          .startsWith("error: proxy at " + proxy.url() + "/ is not trusted")
          .contains("system's trust store", "--ca-file", "ca_file", "admin.profile");
    }
  }

  @Test
  void aCaFileThatIsNotACertificateIsAUserError() throws IOException {
    Path junk = write("junk.crt", "not a certificate\n");

    Invocation r = run("ls", "--proxy", "https://127.0.0.1:1", "--ca-file", junk.toString());

    assertUserError(r, "CA file " + junk);
  }

  @Test
  void theProfileGivesProxyAndCaFile() throws IOException {
    try (TlsServer proxy = proxyOf(ca, List.of("localhost"), true)) {
      Path profile = write("profile", "proxy: " + proxy.url() + "\nca_file: " + caFile() + "\n");

      Invocation r = run("sessions", "--profile", profile.toString());

      assertThat(r.code()).as(r.err()).isZero();
    }
  }

  @Test
  void proxyFlagOverridesTheProfile() throws IOException {
    String dead = deadProxy();
    Path profile = write("profile", "proxy: https://127.0.0.1:1\nca_file: " + caFile() + "\n");

    Invocation r = run("ls", "--profile", profile.toString(), "--proxy", dead);

    assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.err()).contains(dead);
  }

  @Test
  void badProfileNamesFileKeyAndReason() throws IOException {
    Path profile = write("profile", "proxy: http://127.0.0.1:3080\n");

    Invocation r = run("ls", "--profile", profile.toString());

    assertUserError(r, profile.toString(), "proxy", "https://");
  }

  @Test
  void missingProfileNamedByTheFlagIsAUserError() {
    Path profile = dir.resolve("absent.profile");

    Invocation r = run("ls", "--profile", profile.toString());

    assertUserError(r, profile + ": no such file");
  }

  @Test
  void plainHttpProxyUrlIsRefused() {
    Invocation r = run("ls", "--proxy", "http://127.0.0.1:3080", "--ca-file", caFile());

    assertUserError(r, "must start with https://");
  }

  @Test
  void missingFileExitsOneNamingIt() {
    Invocation r =
        run("create", "-f", dir.resolve("nope.yaml").toString(), "--proxy", "https://127.0.0.1:1");

    assertUserError(r, "nope.yaml: no such file");
  }

  @Test
  void invalidYamlExitsOneBeforeContactingTheProxy() throws IOException {
    Path file = write("bad.yaml", "kind: app\nmetadata: [unclosed\n");

    Invocation r = run("create", "-f", file.toString(), "--proxy", "https://127.0.0.1:1");

    assertUserError(r, "bad.yaml: invalid YAML");
  }

  @Test
  void documentThatIsNotAMappingIsRejected() throws IOException {
    Path file = write("list.yaml", "- a\n- b\n");

    Invocation r = run("create", "-f", file.toString());

    assertUserError(r, "document 1 is not a mapping");
  }

  @Test
  void unknownKindIsAUserError() {
    Invocation r = run("ls", "widgets");

    assertUserError(r, "unknown kind 'widgets'");
  }

  @Test
  void malformedTargetIsAUserError() {
    assertThat(run("rm", "demo").err()).contains("expected KIND/NAME, got 'demo'");
    assertThat(run("get", "app/").code()).isEqualTo(ExitCodes.USER_ERROR);
  }

  @Test
  void invalidProxyUrlIsAUserError() {
    Invocation r = run("ls", "--proxy", "not a url");

    assertUserError(r, "invalid proxy URL");
  }

  @Test
  void badAgentConfigExitsOneWithFileKeyAndReason() throws IOException {
    Path file =
        write("agent.yaml", "agent:\n  kafka: { bootstrap: \"127.0.0.1:9092\" }\n  colour: blue\n");

    Invocation r = run("agent", "-c", file.toString());

    assertUserError(r, "agent.yaml", "agent.colour");
  }

  @Test
  void unknownOptionPrintsUsageHintAndExitsOne() {
    Invocation r = run("ls", "--bogus");

    assertUserError(r, "Unknown option", "--help");
  }

  @Test
  void helpWorksEverywhere() {
    for (String command :
        new String[] {
          "dev",
          "proxy",
          "agent",
          "ca",
          "ls",
          "agents",
          "sessions",
          "create",
          "get",
          "rm",
          "tunnel",
          "audit"
        }) {
      Invocation r = run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).contains("Usage: gatehouse " + command);
    }
  }
}
