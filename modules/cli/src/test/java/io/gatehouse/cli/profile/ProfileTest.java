package io.gatehouse.cli.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("profile"), yaml);
  }

  @Test
  void readsProxyCaFileAndToken() throws IOException {
    Profile p =
        Profile.read(
            write(
                "proxy: https://gh.example:3080\nca_file: /etc/gatehouse/ca.crt\ntoken: t0k3n\n"));

    assertThat(p.proxy()).isEqualTo(URI.create("https://gh.example:3080"));
    assertThat(p.caFile()).contains(Path.of("/etc/gatehouse/ca.crt"));
    assertThat(p.token()).contains("t0k3n");
  }

  @Test
  void relativeCaFileIsTakenFromTheProfilesDirectory() throws IOException {
    Profile p = Profile.read(write("proxy: https://localhost:3080\nca_file: ca/ca.crt\n"));

    assertThat(p.caFile()).contains(dir.toAbsolutePath().resolve("ca/ca.crt"));
  }

  @Test
  void emptyProfileMeansTheDefaultProxy() throws IOException {
    Profile p = Profile.read(write(""));

    assertThat(p.proxy()).isEqualTo(Profile.DEFAULT_PROXY);
    assertThat(p.caFile()).isEmpty();
  }

  @Test
  void plainHttpIsRefusedNamingFileAndKey() throws IOException {
    Path file = write("proxy: http://localhost:3080\n");

    assertThatThrownBy(() -> Profile.read(file))
        .isInstanceOf(CliException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("proxy:")
        .hasMessageContaining("https://");
  }

  @Test
  void unknownKeyIsRefused() throws IOException {
    Path file = write("proxy: https://localhost:3080\ncafile: x\n");

    assertThatThrownBy(() -> Profile.read(file))
        .isInstanceOf(CliException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("cafile");
  }

  @Test
  void missingFileIsAUserErrorNamingIt() {
    Path file = dir.resolve("nope");

    assertThatThrownBy(() -> Profile.read(file))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USER_ERROR))
        .hasMessageContaining(file + ": no such file");
  }

  @Test
  void tokenIsNeverShown() throws IOException {
    Profile p = Profile.read(write("token: s3cr3t-value\n"));
    assertThat(p.toString()).doesNotContain("s3cr3t-value").contains("redacted");

    Path bad = write("token: [s3cr3t-value]\n");
    assertThatThrownBy(() -> Profile.read(bad)).hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void writtenProfileIsOwnerOnlyAndReadsBack() throws IOException {
    Profile p =
        new Profile(
            "test",
            URI.create("https://127.0.0.1:3080"),
            Optional.of(dir.resolve("ca.crt")),
            Optional.of("tok\"en"));
    Path file = dir.resolve("sub").resolve("admin.profile");

    p.write(file, "made by a test\nsecond line");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readAllLines(file)).startsWith("# made by a test", "# second line");
    Profile back = Profile.read(file);
    assertThat(back.proxy()).isEqualTo(p.proxy());
    assertThat(back.caFile()).isEqualTo(p.caFile());
    assertThat(back.token()).isEqualTo(p.token());
  }
}
