package io.gatehouse.proxy;

import io.gatehouse.testkit.PrometheusText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The meter catalogue of {@code docs/metrics.md}: every table row whose first cell is a {@code
 * `gatehouse_…`} name, as Prometheus scrapes it.
 */
final class MeterCatalogue {
  /** One row: name, type, label names, and the processes (proxy, agent) that expose it. */
  record Row(String name, PrometheusText.Type type, Set<String> labels, Set<String> processes) {}

  private MeterCatalogue() {}

  /** The rows of {@code docs/metrics.md}, by name. */
  static Map<String, Row> read() {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : lines(repoFile("docs/metrics.md"))) {
      if (!line.startsWith("| `gatehouse_")) {
        continue;
      }
      String[] cells = line.split("\\|");
      if (cells.length < 6) {
        throw new AssertionError(
            "docs/metrics.md: catalogue row without name, type, labels, process and meaning: "
                + line);
      }
      String name = cells[1].strip().replace("`", "");
      Row row =
          new Row(
              name,
              PrometheusText.Type.valueOf(cells[2].strip().toUpperCase(Locale.ROOT)),
              words(cells[3]),
              words(cells[4]));
      if (rows.put(name, row) != null) {
        throw new AssertionError("docs/metrics.md lists " + name + " twice");
      }
    }
    return rows;
  }

  /** A file of the repository, found from the module directory tests run in. */
  static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  private static Iterable<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> words(String cell) {
    return Arrays.stream(cell.split(","))
        .map(w -> w.replace("`", "").strip())
        .filter(w -> !w.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
