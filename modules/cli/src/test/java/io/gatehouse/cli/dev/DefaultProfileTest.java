package io.gatehouse.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cli.profile.Profile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultProfileTest {
  @TempDir Path dir;
  final List<String> said = new ArrayList<>();

  private Profile admin(int port) {
    return new Profile(
        dir.resolve("data/admin.profile").toString(),
        URI.create("https://127.0.0.1:" + port),
        Optional.of(dir.resolve("data/ca/ca.crt")),
        Optional.empty());
  }

  @Test
  void missingDefaultProfileIsWritten() {
    Path file = dir.resolve("home/.gatehouse/profile");

    assertThat(DefaultProfile.install(admin(3080), file, said::add)).isTrue();

    assertThat(Profile.read(file).proxy()).isEqualTo(URI.create("https://127.0.0.1:3080"));
  }

  @Test
  void aProfileDevModeWroteIsReplaced() {
    Path file = dir.resolve("profile");
    DefaultProfile.install(admin(3080), file, said::add);

    assertThat(DefaultProfile.install(admin(4080), file, said::add)).isTrue();

    assertThat(Profile.read(file).proxy()).isEqualTo(URI.create("https://127.0.0.1:4080"));
  }

  @Test
  void aUsersOwnProfileIsNeverTouched() throws IOException {
    Path file = dir.resolve("profile");
    String own = "proxy: https://gatehouse.example.com\nca_file: /etc/gatehouse/ca.crt\n";
    Files.writeString(file, own);

    assertThat(DefaultProfile.install(admin(3080), file, said::add)).isFalse();

    assertThat(Files.readString(file)).isEqualTo(own);
    assertThat(said).singleElement().asString().contains("keeping your own", "--profile");
  }
}
