package io.gatehouse.bench.suite;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One scenario's results: printed as an aligned text table and kept as JSON for {@code
 * bench/results/latest.json}. Columns named {@code vs …} are ratios and print as {@code 0.42×};
 * small whole numbers (counts) print as such, other numbers with three significant digits.
 */
final class Table {
  final String id;
  final String title;
  private final List<String> columns;
  private final List<List<Object>> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Table(String id, String title, String... columns) {
    this.id = id;
    this.title = title;
    this.columns = List.of(columns);
  }

  Table row(Object... cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException(
          id + ": " + cells.length + " cells for " + columns.size() + " columns");
    }
    rows.add(java.util.Arrays.asList(cells));
    return this;
  }

  Table note(String note) {
    notes.add(note);
    return this;
  }

  /** {@code a / b}, or NaN when either is missing. */
  static double ratio(double a, double b) {
    return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
  }

  String render() {
    List<List<String>> text = new ArrayList<>();
    text.add(columns);
    for (List<Object> r : rows) {
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < r.size(); c++) {
        cells.add(format(columns.get(c), r.get(c)));
      }
      text.add(cells);
    }
    int[] width = new int[columns.size()];
    for (List<String> r : text) {
      for (int c = 0; c < r.size(); c++) {
        width[c] = Math.max(width[c], r.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder("== ").append(title).append(" ==\n");
    for (int i = 0; i < text.size(); i++) {
      List<String> r = text.get(i);
      for (int c = 0; c < r.size(); c++) {
        String cell = r.get(c);
        b.append(
            c == 0
                ? String.format("%-" + width[c] + "s", cell)
                : String.format("  %" + width[c] + "s", cell));
      }
      b.append('\n');
      if (i == 0) {
        b.append("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1)))
            .append('\n');
      }
    }
    notes.forEach(n -> b.append("  ").append(n).append('\n'));
    return b.toString();
  }

  JsonObject json() {
    JsonArray out = new JsonArray();
    for (List<Object> r : rows) {
      JsonObject o = new JsonObject();
      for (int c = 0; c < r.size(); c++) {
        Object v = r.get(c);
        o.put(columns.get(c), v instanceof Double d && (d.isNaN() || d.isInfinite()) ? null : v);
      }
      out.add(o);
    }
    return new JsonObject()
        .put("id", id)
        .put("title", title)
        .put("rows", out)
        .put("notes", new JsonArray(new ArrayList<>(notes)));
  }

  static String format(String column, Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double d) {
      if (d.isNaN()) {
        return "-";
      }
      boolean ratio = column.startsWith("vs ") || column.contains(" vs ");
      if (!ratio && d == Math.rint(d) && Math.abs(d) < 100) {
        return String.format(Locale.ROOT, "%.0f", d); // a count
      }
      String n = significant(d);
      return ratio ? n + "×" : n;
    }
    return v.toString();
  }

  private static String significant(double d) {
    double a = Math.abs(d);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", d);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", d);
    }
    return String.format(Locale.ROOT, "%.3f", d);
  }
}
