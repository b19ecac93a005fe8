package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error paths that need no running system: exit codes and one-line messages. */
class CliErrorsTest {
  @TempDir Path dir;

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
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void unreachableProxyExitsTwoNamingTheAddress() throws IOException {
    String proxy = deadProxy();

    Invocation r = run("ls", "--proxy", proxy);

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
      assertThat(run(args).code()).as(String.join(" ", args)).isEqualTo(ExitCodes.UNREACHABLE);
    }
  }

  @Test
  void missingFileExitsOneNamingIt() {
    Invocation r =
        run("create", "-f", dir.resolve("nope.yaml").toString(), "--proxy", "http://127.0.0.1:1");

    assertUserError(r, "nope.yaml: no such file");
  }

  @Test
  void invalidYamlExitsOneBeforeContactingTheProxy() throws IOException {
    Path file = write("bad.yaml", "kind: app\nmetadata: [unclosed\n");

    Invocation r = run("create", "-f", file.toString(), "--proxy", "http://127.0.0.1:1");

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
