package io.gatehouse.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreeTest {
  @TempDir Path dir;

  @Test
  void deletesTheDirectoryAndEverythingUnderIt() throws IOException {
    Path root = dir.resolve("state");
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/b/file"), "x");
    Files.writeString(root.resolve("top"), "y");

    FileTree.delete(root);

    assertThat(root).doesNotExist();
    assertThat(dir).exists();
  }

  @Test
  void aRootThatDoesNotExistIsFine() throws IOException {
    FileTree.delete(dir.resolve("never-made"));
    assertThat(dir.resolve("never-made")).doesNotExist();
  }
}
