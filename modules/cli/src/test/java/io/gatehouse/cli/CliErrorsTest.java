package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error paths that need no running system: exit codes and one-line messages. */
class CliErrorsTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  static String deadProxy() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void unreachableProxyExitsTwoNamingTheAddress() throws IOException {
    String proxy = deadProxy();

    Result r = run("ls", "--proxy", proxy);

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
    Result r =
        run("create", "-f", dir.resolve("nope.yaml").toString(), "--proxy", "http://127.0.0.1:1");

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("nope.yaml: no such file");
  }

  @Test
  void invalidYamlExitsOneBeforeContactingTheProxy() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "kind: app\nmetadata: [unclosed\n");

    Result r = run("create", "-f", file.toString(), "--proxy", "http://127.0.0.1:1");

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("bad.yaml: invalid YAML");
  }

  @Test
  void documentThatIsNotAMappingIsRejected() throws IOException {
    Path file = dir.resolve("list.yaml");
    Files.writeString(file, "- a\n- b\n");

    Result r = run("create", "-f", file.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("document 1 is not a mapping");
  }

  @Test
  void unknownKindIsAUserError() {
    Result r = run("ls", "widgets");

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("unknown kind 'widgets'");
  }

  @Test
  void malformedTargetIsAUserError() {
    assertThat(run("rm", "demo").err()).contains("expected KIND/NAME, got 'demo'");
    assertThat(run("get", "app/").code()).isEqualTo(ExitCodes.USER_ERROR);
  }

  @Test
  void invalidProxyUrlIsAUserError() {
    Result r = run("ls", "--proxy", "not a url");

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("invalid proxy URL");
  }

  @Test
  void badAgentConfigExitsOneWithFileKeyAndReason() throws IOException {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "agent:\n  kafka: { bootstrap: \"127.0.0.1:9092\" }\n  colour: blue\n");

    Result r = run("agent", "-c", file.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("agent.yaml").contains("agent.colour");
  }

  @Test
  void unknownOptionPrintsUsageHintAndExitsOne() {
    Result r = run("ls", "--bogus");

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err()).contains("Unknown option").contains("--help");
  }

  @Test
  void helpWorksEverywhere() {
    for (String command :
        new String[] {
          "dev",
          "proxy",
          "agent",
          "ls",
          "agents",
          "sessions",
          "create",
          "get",
          "rm",
          "tunnel",
          "audit"
        }) {
      Result r = run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).contains("Usage: gatehouse " + command);
    }
  }
}
