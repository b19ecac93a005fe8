package io.gatehouse.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A map in a {@link ConfigDocument}, read through typed getters that take defaults.
 *
 * <p>Getters never throw for bad content: they record a problem at the key's path (for example
 * {@code app_service.apps[1].uri: invalid URI ...}) and return the default, so one pass over a file
 * finds every problem. Every key asked for, present or not, counts as known; the document reports
 * the others as unknown. A node for a missing key is absent: its getters return their defaults.
 */
public final class ConfigNode {
  private final ConfigDocument document;
  private final String path;
  private final Map<String, Object> values;
  private final boolean present;
  private final Set<String> asked = new LinkedHashSet<>();

  ConfigNode(ConfigDocument document, String path, Object value) {
    this.document = document;
    this.path = path;
    this.present = value != null;
    this.values = value instanceof Map<?, ?> map ? stringKeys(map) : Map.of();
  }

  /** The path of this node, e.g. {@code app_service.apps[1]}; empty for the root. */
  public String path() {
    return path;
  }

  /** The path of a key of this node, e.g. {@code app_service.apps[1].uri}. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public String source() {
    return document.source();
  }

  /** False for a node whose key is missing from the document (or null). */
  public boolean isPresent() {
    return present;
  }

  /** True when {@code key} is present with a non-null value. Counts as asking for it. */
  public boolean has(String key) {
    asked.add(key);
    return values.get(key) != null;
  }

  /**
   * True when {@code key} holds a list, so that a reader can take one item or a list of them (a
   * role's {@code app_labels}, for example). Counts as asking for it.
   */
  public boolean isList(String key) {
    return get(key) instanceof List;
  }

  /** The keys present, in document order. Asks for none of them. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Records a problem about {@code key} of this node. */
  public void problem(String key, String reason) {
    document.problem(pathOf(key), reason);
  }

  /** Records a problem about this node itself. */
  public void problem(String reason) {
    document.problem(path, reason);
  }

  // ---- scalars ------------------------------------------------------------------------------

  /** The text of a scalar, or empty when the key is missing (or the value is not a scalar). */
  public Optional<String> string(String key) {
    Object v = get(key);
    if (v == null) {
      return Optional.empty();
    }
    String text = scalarText(v);
    if (text == null) {
      problem(key, "expected a single value, got " + describe(v));
      return Optional.empty();
    }
    return Optional.of(text);
  }

  public String string(String key, String defaultValue) {
    return string(key).orElse(defaultValue);
  }

  /** A boolean written {@code true} or {@code false}. */
  public boolean bool(String key, boolean defaultValue) {
    Object v = get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problem(key, "expected true or false, got " + describe(v));
    return defaultValue;
  }

  /** A whole number within {@code [min, max]}. */
  public long integer(String key, long defaultValue, long min, long max) {
    Object v = get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      BigInteger n = new BigInteger(v.toString());
      if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
        problem(key, "must be between " + min + " and " + max + ", got " + n);
        return defaultValue;
      }
      return n.longValue();
    }
    problem(key, "expected a whole number, got " + describe(v));
    return defaultValue;
  }

  /** A duration such as {@code 500ms}, {@code 1s}, {@code 3m}. */
  public Duration duration(String key, Duration defaultValue) {
    return value(key, ValueParser.duration(), defaultValue);
  }

  /** A scalar parsed by {@code parser}; empty when missing or refused (the refusal is recorded). */
  public <T> Optional<T> value(String key, ValueParser<T> parser) {
    return string(key).flatMap(text -> parse(key, text, parser));
  }

  public <T> T value(String key, ValueParser<T> parser, T defaultValue) {
    return value(key, parser).orElse(defaultValue);
  }

  /** Like {@link #value(String, ValueParser)}, recording "missing required key" when absent. */
  public <T> Optional<T> required(String key, ValueParser<T> parser) {
    if (values.get(key) == null) {
      asked.add(key);
      problem(key, "missing required key");
      return Optional.empty();
    }
    return value(key, parser);
  }

  // ---- structure ----------------------------------------------------------------------------

  /** The map under {@code key}; an absent node when missing, or when not a map (recorded). */
  public ConfigNode object(String key) {
    Object v = get(key);
    if (v != null && !(v instanceof Map)) {
      problem(key, "expected a map of keys, got " + describe(v));
      v = null;
    }
    return document.node(pathOf(key), v);
  }

  /** The maps in the list under {@code key}, each at path {@code key[i]}; empty when missing. */
  public List<ConfigNode> objects(String key) {
    List<ConfigNode> out = new ArrayList<>();
    List<?> items = list(key);
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      String itemPath = pathOf(key) + "[" + i + "]";
      if (item instanceof Map) {
        out.add(document.node(itemPath, item));
      } else {
        document.problem(itemPath, "expected a map of keys, got " + describe(item));
      }
    }
    return out;
  }

  /** The scalars in the list under {@code key}, as text; empty when missing. */
  public List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    List<?> items = list(key);
    for (int i = 0; i < items.size(); i++) {
      String text = scalarText(items.get(i));
      if (text == null) {
        document.problem(
            pathOf(key) + "[" + i + "]", "expected a single value, got " + describe(items.get(i)));
      } else {
        out.add(text);
      }
    }
    return out;
  }

  /**
   * A map of free-form keys to scalars (labels, for example), with every value as text; empty when
   * missing. Its keys are data, not configuration keys, so none of them is reported as unknown.
   */
  public Map<String, String> stringMap(String key) {
    Object v = get(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> map)) {
      problem(key, "expected a map, got " + describe(v));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : stringKeys(map).entrySet()) {
      String text = e.getValue() == null ? "" : scalarText(e.getValue());
      if (text == null) {
        document.problem(
            pathOf(key) + "." + e.getKey(),
            "expected a single value, got " + describe(e.getValue()));
      } else {
        out.put(e.getKey(), text);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Adds the keys nobody asked for, here and in the maps below, in document order. */
  void collectUnknownKeys(List<ConfigProblem> out) {
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String key = e.getKey();
      if (!asked.contains(key)) {
        out.add(new ConfigProblem(document.source(), pathOf(key), unknownReason(key)));
        continue;
      }
      document.existing(pathOf(key)).ifPresent(child -> child.collectUnknownKeys(out));
      if (e.getValue() instanceof List<?> items) {
        for (int i = 0; i < items.size(); i++) {
          document
              .existing(pathOf(key) + "[" + i + "]")
              .ifPresent(child -> child.collectUnknownKeys(out));
        }
      }
    }
  }

  private String unknownReason(String key) {
    if (asked.isEmpty()) {
      return "unknown key";
    }
    for (String known : asked) {
      if (distance(key.toLowerCase(java.util.Locale.ROOT), known) <= 2) {
        return "unknown key (did you mean '" + known + "'?)";
      }
    }
    return "unknown key (expected one of: " + String.join(", ", asked) + ")";
  }

  private Object get(String key) {
    asked.add(key);
    return values.get(key);
  }

  private List<?> list(String key) {
    Object v = get(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l;
    }
    problem(key, "expected a list, got " + describe(v));
    return List.of();
  }

  private <T> Optional<T> parse(String key, String text, ValueParser<T> parser) {
    try {
      return Optional.ofNullable(parser.parse(text));
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage() == null ? "invalid value '" + text + "'" : e.getMessage());
      return Optional.empty();
    }
  }

  private static String scalarText(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return null;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, val) -> out.put(String.valueOf(k), val));
    return out;
  }

  static String describe(Object v) {
    if (v instanceof Map) {
      return "a map";
    }
    if (v instanceof List) {
      return "a list";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    return v == null ? "nothing" : String.valueOf(v);
  }

  /** Levenshtein distance, for "did you mean" on short keys. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
