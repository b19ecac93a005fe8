package io.gatehouse.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format, version 0.0.4, for tests that scrape a
 * {@code /metrics} endpoint. No parser for it ships with the Prometheus Java client, which only
 * writes the format.
 *
 * <p>{@link #parse} accepts a text only if every line is a {@code # HELP}, a {@code # TYPE},
 * another comment, or a sample {@code name{label="value",...} value [timestamp]} with a valid
 * metric name, valid label names, correctly escaped label values and a number (including {@code
 * NaN}, {@code +Inf}, {@code -Inf}) as the value; the text ends with a line feed. It also checks
 * what the format requires across lines: at most one {@code HELP} and one {@code TYPE} per family,
 * the {@code TYPE} before the family's first sample, the samples of a family on consecutive lines,
 * no series twice, and histograms whose buckets are cumulative, end with {@code le="+Inf"} and
 * agree with {@code _count}. Anything else fails with an {@link IllegalArgumentException} that
 * names the line.
 */
public final class PrometheusText {

  /** The type a {@code # TYPE} line declares; {@link #UNTYPED} for samples without one. */
  public enum Type {
    COUNTER,
    GAUGE,
    HISTOGRAM,
    SUMMARY,
    UNTYPED
  }

  /**
   * One sample line: its full name (with any {@code _bucket}, {@code _sum} suffix), labels, value.
   */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * A metric family: its name as in the {@code TYPE} line, type, help text and samples in order.
   */
  public record Family(String name, Type type, String help, List<Sample> samples) {}

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?|[-+]?Inf|NaN");
  private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = families;
  }

  /**
   * Parses and validates a scrape.
   *
   * @throws IllegalArgumentException naming the first line that breaks the format
   */
  public static PrometheusText parse(String text) {
    return new Reader().read(Objects.requireNonNull(text, "text"));
  }

  /** Every family, in the order of the text. */
  public Map<String, Family> families() {
    return families;
  }

  /**
   * The sum of the samples named {@code sampleName} whose labels include {@code labels}, e.g.
   * {@code sum("gatehouse_relayed_bytes_total", Map.of("protocol", "http"))}.
   *
   * @throws AssertionError if there is no such sample
   */
  public double sum(String sampleName, Map<String, String> labels) {
    double sum = 0;
    boolean found = false;
    for (Family family : families.values()) {
      for (Sample sample : family.samples()) {
        if (sample.name().equals(sampleName)
            && sample.labels().entrySet().containsAll(labels.entrySet())) {
          sum += sample.value();
          found = true;
        }
      }
    }
    if (!found) {
      throw new AssertionError(
          "no sample " + sampleName + " with labels " + labels + " in the scrape");
    }
    return sum;
  }

  /** The sum of every sample named {@code sampleName}. */
  public double sum(String sampleName) {
    return sum(sampleName, Map.of());
  }

  /** Reads one text; one instance per parse. */
  private static final class Reader {
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final Map<String, Type> types = new LinkedHashMap<>();
    private final Set<String> closed = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private String current;
    private int lineNumber;

    PrometheusText read(String text) {
      if (!text.isEmpty() && !text.endsWith("\n")) {
        throw new IllegalArgumentException("the text does not end with a line feed");
      }
      for (String line : text.split("\n", -1)) {
        lineNumber++;
        try {
          if (line.startsWith("#")) {
            comment(line);
          } else if (!line.isBlank()) {
            sample(line);
          }
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "line " + lineNumber + ": " + e.getMessage() + ": " + line, e);
        }
      }
      families.values().stream()
          .filter(f -> f.type() == Type.HISTOGRAM)
          .forEach(Reader::checkHistogram);
      Map<String, Family> out = new LinkedHashMap<>();
      families.forEach(
          (name, f) ->
              out.put(name, new Family(name, f.type(), help.get(name), List.copyOf(f.samples()))));
      return new PrometheusText(Collections.unmodifiableMap(out));
    }

    private void comment(String line) {
      String[] parts = line.split("[ \t]+", 4);
      if (parts.length < 3
          || !parts[0].equals("#")
          || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
        return; // any other comment
      }
      String name = metricName(parts[2]);
      String rest = parts.length == 4 ? parts[3] : "";
      if (parts[1].equals("HELP")) {
        if (help.put(name, unescape(rest, false)) != null) {
          throw new IllegalArgumentException("second HELP for " + name);
        }
        return;
      }
      Type type;
      try {
        type = Type.valueOf(rest.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown type '" + rest + "'");
      }
      if (types.put(name, type) != null) {
        throw new IllegalArgumentException("second TYPE for " + name);
      }
      if (families.containsKey(name)) {
        throw new IllegalArgumentException("TYPE for " + name + " after its samples");
      }
    }

    private void sample(String line) {
      int brace = line.indexOf('{');
      int space = indexOfBlank(line);
      int nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
      if (nameEnd < 0) {
        throw new IllegalArgumentException("a sample needs a value");
      }
      String name = metricName(line.substring(0, nameEnd));
      Map<String, String> labels = new TreeMap<>();
      int pos = nameEnd;
      if (nameEnd == brace) {
        pos = labels(line, brace + 1, labels);
      }
      String[] rest = line.substring(pos).strip().split("[ \t]+");
      if (rest.length < 1
          || rest.length > 2
          || rest[0].isEmpty()
          || (pos < line.length() && !isBlank(line.charAt(pos)))) {
        throw new IllegalArgumentException(
            "expected ' value [timestamp]' after the name and labels");
      }
      double value = number(rest[0]);
      if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
        throw new IllegalArgumentException("invalid timestamp '" + rest[1] + "'");
      }
      String family = familyOf(name);
      Type type = types.getOrDefault(family, Type.UNTYPED);
      if (type == Type.HISTOGRAM && name.endsWith("_bucket")) {
        number(required(labels, "le", name));
      }
      if (type == Type.SUMMARY && name.equals(family)) {
        number(required(labels, "quantile", name));
      }
      if (!family.equals(current)) {
        if (closed.contains(family)) {
          throw new IllegalArgumentException(
              "samples of " + family + " are not on consecutive lines");
        }
        if (current != null) {
          closed.add(current);
        }
        current = family;
      }
      if (!series.add(name + labels)) {
        throw new IllegalArgumentException("series " + name + labels + " appears twice");
      }
      families
          .computeIfAbsent(family, f -> new Family(f, type, null, new ArrayList<>()))
          .samples()
          .add(new Sample(name, Collections.unmodifiableMap(labels), value));
    }

    /** Reads labels from just after '{' and returns the position after '}'. */
    private static int labels(String line, int start, Map<String, String> labels) {
      int pos = start;
      while (true) {
        if (pos >= line.length()) {
          throw new IllegalArgumentException("unterminated label set");
        }
        if (line.charAt(pos) == '}') {
          return pos + 1;
        }
        int eq = line.indexOf('=', pos);
        if (eq < 0) {
          throw new IllegalArgumentException("label without '='");
        }
        String label = line.substring(pos, eq);
        if (!LABEL_NAME.matcher(label).matches()) {
          throw new IllegalArgumentException("invalid label name '" + label + "'");
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label " + label + ": value not in double quotes");
        }
        StringBuilder value = new StringBuilder();
        int i = eq + 2;
        for (; i < line.length() && line.charAt(i) != '"'; i++) {
          char c = line.charAt(i);
          if (c == '\\') {
            if (++i >= line.length()) {
              break;
            }
            value.append(escaped(line.charAt(i), true));
          } else {
            value.append(c);
          }
        }
        if (i >= line.length()) {
          throw new IllegalArgumentException("label " + label + ": unterminated value");
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException("label " + label + " appears twice");
        }
        pos = i + 1;
        if (pos < line.length() && line.charAt(pos) == ',') {
          pos++;
        } else if (pos >= line.length() || line.charAt(pos) != '}') {
          throw new IllegalArgumentException("expected ',' or '}' after label " + label);
        }
      }
    }

    /**
     * The family a sample belongs to: its own name, or its base name for a suffix its type allows.
     */
    private String familyOf(String name) {
      if (types.containsKey(name)) {
        return name;
      }
      for (String suffix : List.of("_bucket", "_count", "_sum", "_created", "_total")) {
        if (!name.endsWith(suffix)) {
          continue;
        }
        String base = name.substring(0, name.length() - suffix.length());
        Type type = types.get(base);
        boolean allowed =
            switch (suffix) {
              case "_bucket" -> type == Type.HISTOGRAM;
              case "_count", "_sum" -> type == Type.HISTOGRAM || type == Type.SUMMARY;
              case "_total" -> type == Type.COUNTER;
              default -> type == Type.COUNTER || type == Type.HISTOGRAM || type == Type.SUMMARY;
            };
        if (allowed) {
          return base;
        }
      }
      return name;
    }

    private static void checkHistogram(Family family) {
      Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
      Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
      for (Sample s : family.samples()) {
        if (s.name().endsWith("_bucket")) {
          Map<String, String> series = new TreeMap<>(s.labels());
          series.remove("le");
          buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
        } else if (s.name().equals(family.name() + "_count")) {
          counts.put(s.labels(), s.value());
        }
      }
      buckets.forEach(
          (series, list) -> {
            double lastLe = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : list) {
              double le = number(b.labels().get("le"));
              if (le <= lastLe || b.value() < lastCount) {
                throw new IllegalArgumentException(
                    "histogram "
                        + family.name()
                        + series
                        + ": buckets not ascending and cumulative at le="
                        + b.labels().get("le"));
              }
              lastLe = le;
              lastCount = b.value();
            }
            if (lastLe != Double.POSITIVE_INFINITY) {
              throw new IllegalArgumentException(
                  "histogram " + family.name() + series + " has no le=\"+Inf\" bucket");
            }
            Double count = counts.get(series);
            if (count == null || count != lastCount) {
              throw new IllegalArgumentException(
                  "histogram "
                      + family.name()
                      + series
                      + ": _count "
                      + count
                      + " differs from the +Inf bucket "
                      + lastCount);
            }
          });
    }

    private static String required(Map<String, String> labels, String label, String name) {
      String value = labels.get(label);
      if (value == null) {
        throw new IllegalArgumentException(name + " needs a '" + label + "' label");
      }
      return value;
    }

    private static String metricName(String text) {
      if (!METRIC_NAME.matcher(text).matches()) {
        throw new IllegalArgumentException("invalid metric name '" + text + "'");
      }
      return text;
    }

    private static double number(String text) {
      if (!NUMBER.matcher(text).matches()) {
        throw new IllegalArgumentException("invalid number '" + text + "'");
      }
      return switch (text) {
        case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(text);
      };
    }

    private static String unescape(String text, boolean quotes) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\\' && i + 1 < text.length()) {
          out.append(escaped(text.charAt(++i), quotes));
        } else if (c == '\\') {
          throw new IllegalArgumentException("dangling backslash");
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }

    private static char escaped(char c, boolean quotes) {
      return switch (c) {
        case '\\' -> '\\';
        case 'n' -> '\n';
        case '"' -> {
          if (!quotes) {
            throw new IllegalArgumentException("invalid escape '\\\"' in help text");
          }
          yield '"';
        }
        default -> throw new IllegalArgumentException("invalid escape '\\" + c + "'");
      };
    }

    private static int indexOfBlank(String line) {
      for (int i = 0; i < line.length(); i++) {
        if (isBlank(line.charAt(i))) {
          return i;
        }
      }
      return -1;
    }

    private static boolean isBlank(char c) {
      return c == ' ' || c == '\t';
    }
  }
}
