package io.gatehouse.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param source the file (or other source) the value came from, as the user named it
 * @param path the key path inside the document, e.g. {@code app_service.apps[1].uri}; empty for the
 *     document as a whole
 * @param reason what is wrong and, where it helps, what would be right
 */
public record ConfigProblem(String source, String path, String reason) {
  public ConfigProblem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code source: path: reason}, or {@code source: reason} for the whole document. */
  @Override
  public String toString() {
    return path.isEmpty() ? source + ": " + reason : source + ": " + path + ": " + reason;
  }
}
