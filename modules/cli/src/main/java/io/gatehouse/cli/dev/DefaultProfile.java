package io.gatehouse.cli.dev;

import io.gatehouse.cli.profile.Profile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How dev mode becomes the CLI's default without taking a user's own profile: the default profile
 * file is written when it is missing or when its first line says dev mode wrote it ({@value
 * #MARKER}); any other file is left as it is, and dev mode says how to use its profile instead.
 */
final class DefaultProfile {
  /** The first line of a CLI profile dev mode wrote, so that it knows it may replace it. */
  static final String MARKER = "written by gatehouse dev";

  private DefaultProfile() {}

  /**
   * Points the CLI's default profile {@code file} at dev mode, unless it is a user's own.
   *
   * @return whether it now points at dev mode
   */
  static boolean install(Profile admin, Path file, Consumer<String> progress) {
    if (Files.exists(file) && !writtenByDevMode(file)) {
      progress.accept(
          "keeping your own "
              + file
              + "; for dev mode use --profile "
              + admin.source()
              + " or export GATEHOUSE_PROFILE="
              + admin.source());
      return false;
    }
    admin.write(
        file,
        MARKER
            + ": a copy of "
            + admin.source()
            + ".\nThe next gatehouse dev replaces it; remove this comment to keep the file as your"
            + " own.");
    return true;
  }

  private static boolean writtenByDevMode(Path file) {
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.findFirst().orElse("").startsWith("# " + MARKER);
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }
}
