package io.gatehouse.cli;

import static io.gatehouse.cli.Invocation.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.pki.ClusterCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse ca init} and {@code gatehouse ca pin} on real directories. */
class CaCommandTest {
  @TempDir Path tmp;

  @Test
  void initWritesTheCaAndPrintsItsPin() throws Exception {
    Path dir = tmp.resolve("ca");

    Invocation r = run("ca", "init", "--dir", dir.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    String pin = ClusterCa.load(dir).pin().toString();
    assertThat(r.out()).contains("cluster CA created in " + dir).contains("CA pin: " + pin + "\n");
    for (String name : new String[] {"ca.key", "ca.crt", "cluster.secret"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
          .as(name)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void initAsJsonPrintsTheDirectoryAndThePin() throws Exception {
    Path dir = tmp.resolve("ca");

    Invocation r = run("ca", "init", "--dir", dir.toString(), "--format", "json");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("dir").asText()).isEqualTo(dir.toAbsolutePath().toString());
    assertThat(json.get("ca_pin").asText()).isEqualTo(ClusterCa.load(dir).pin().toString());
    assertThat(json.size()).isEqualTo(2);
  }

  @Test
  void initRefusesADirectoryThatHoldsACaAndLeavesItAlone() throws Exception {
    Path dir = tmp.resolve("ca");
    run("ca", "init", "--dir", dir.toString());
    String key = Files.readString(dir.resolve("ca.key"));

    Invocation r = run("ca", "init", "--dir", dir.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err())
        .startsWith("error: " + dir.resolve("ca.key") + ": exists already")
        .contains("never overwrites");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo(key);
  }

  @Test
  void pinPrintsThePinOfAnExistingCa() {
    Path dir = tmp.resolve("ca");
    Invocation init = run("ca", "init", "--dir", dir.toString());

    Invocation text = run("ca", "pin", "--dir", dir.toString());
    Invocation json = run("ca", "pin", "--dir", dir.toString(), "--format", "json");

    assertThat(text.code()).as(text.err()).isEqualTo(ExitCodes.OK);
    String pinLine = init.out().lines().filter(l -> l.startsWith("CA pin: ")).findFirst().get();
    assertThat(text.out()).isEqualTo(pinLine + "\n");
    assertThat(json.out()).contains("\"ca_pin\" : \"" + pinLine.substring("CA pin: ".length()));
  }

  @Test
  void pinOfAMissingCaNamesTheFileAndTheCommandThatMakesIt() {
    Path dir = tmp.resolve("none");

    Invocation r = run("ca", "pin", "--dir", dir.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(r.err())
        .contains(dir.resolve("ca.crt").toString())
        .contains("gatehouse ca init --dir " + dir);
  }
}
