package io.gatehouse.access;

import io.gatehouse.events.resource.LabelSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The label selectors of one kind in one block (allow or deny) of many roles, indexed so that a
 * lookup touches only candidates. Immutable once built, so thread-safe.
 *
 * <p>Each selector is filed once, under whichever of its terms the fewest selectors share: a
 * literal {@code key=value} (found with two hash lookups), the literal start of a glob ({@code
 * team=web-*} under {@code team} and {@code web-}, found by the value's prefixes of the lengths on
 * file), or, for a regular expression, the key alone. A resource can match a selector only if it
 * matches the filing term, so a lookup that walks the resource's labels and fully matches the
 * selectors filed under each misses nothing; filing under the rarest term keeps a term many
 * selectors share, such as {@code env=dev}, from making all of them candidates. {@code "*": "*"}
 * matches without a lookup.
 */
final class SelectorIndex {
  static final SelectorIndex EMPTY = build(List.of());

  /** A selector and the role it came from; {@code order} ranks roles (then selectors) as given. */
  record Entry(int order, String role, LabelSelector selector) {}

  /** Globs of one key, by the literal text they start with. */
  private record Prefixes(int[] lengths, Map<String, Entry[]> byPrefix) {}

  private static final Entry[] NONE = new Entry[0];

  private final Entry everything;
  private final Map<String, Map<String, Entry[]>> byLiteral;
  private final Map<String, Prefixes> byPrefix;
  private final Map<String, Entry[]> byKey;

  private SelectorIndex(
      Entry everything,
      Map<String, Map<String, Entry[]>> byLiteral,
      Map<String, Prefixes> byPrefix,
      Map<String, Entry[]> byKey) {
    this.everything = everything;
    this.byLiteral = byLiteral;
    this.byPrefix = byPrefix;
    this.byKey = byKey;
  }

  /** Indexes {@code entries}, given in {@code order}; a selector repeated keeps its first entry. */
  static SelectorIndex build(List<Entry> entries) {
    Map<LabelSelector, Entry> distinct = new LinkedHashMap<>();
    for (Entry e : entries) {
      distinct.putIfAbsent(e.selector(), e);
    }
    Map<String, Map<String, Integer>> literalCounts = new HashMap<>();
    Map<String, Map<String, Integer>> prefixCounts = new HashMap<>();
    Map<String, Integer> keyCounts = new HashMap<>();
    for (Entry e : distinct.values()) {
      LabelSelector s = e.selector();
      s.literals().forEach((k, v) -> count(literalCounts, k, v));
      globPrefixes(s).forEach((k, p) -> count(prefixCounts, k, p));
      s.keys().forEach(k -> keyCounts.merge(k, 1, Integer::sum));
    }

    Entry everything = null;
    Map<String, Map<String, List<Entry>>> literals = new HashMap<>();
    Map<String, Map<String, List<Entry>>> prefixes = new HashMap<>();
    Map<String, List<Entry>> keys = new HashMap<>();
    for (Entry e : distinct.values()) {
      LabelSelector s = e.selector();
      if (s.matchesEverything()) {
        if (everything == null) {
          everything = e;
        }
        continue;
      }
      // The cheapest filing term; ties go to the most exact kind of lookup.
      String key = null;
      String text = null;
      Map<String, Map<String, List<Entry>>> into = null;
      int best = Integer.MAX_VALUE;
      for (Map.Entry<String, String> t : s.literals().entrySet()) {
        int n = literalCounts.get(t.getKey()).get(t.getValue());
        if (n < best) {
          best = n;
          key = t.getKey();
          text = t.getValue();
          into = literals;
        }
      }
      for (Map.Entry<String, String> t : globPrefixes(s).entrySet()) {
        int n = prefixCounts.get(t.getKey()).get(t.getValue());
        if (n < best) {
          best = n;
          key = t.getKey();
          text = t.getValue();
          into = prefixes;
        }
      }
      for (String k : s.keys()) {
        int n = keyCounts.get(k);
        if (n < best) {
          best = n;
          key = k;
          text = null;
          into = null;
        }
      }
      if (key == null) {
        continue; // a selector without terms matches nothing
      }
      if (into == null) {
        keys.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
      } else {
        into.computeIfAbsent(key, k -> new HashMap<>())
            .computeIfAbsent(text, v -> new ArrayList<>())
            .add(e);
      }
    }

    Map<String, Map<String, Entry[]>> byLiteral = new HashMap<>();
    literals.forEach((k, byValue) -> byLiteral.put(k, arrays(byValue)));
    Map<String, Prefixes> byPrefix = new HashMap<>();
    prefixes.forEach(
        (k, byStart) ->
            byPrefix.put(
                k,
                new Prefixes(
                    new TreeSet<>(byStart.keySet().stream().map(String::length).toList())
                        .stream().mapToInt(Integer::intValue).toArray(),
                    arrays(byStart))));
    return new SelectorIndex(everything, byLiteral, byPrefix, arrays(keys));
  }

  /** True when some selector matches {@code labels}. */
  boolean any(Map<String, String> labels) {
    return everything != null || match(labels, Integer.MAX_VALUE, false) != null;
  }

  /** The matching selector of the first role (as given), or null: for a reason that names it. */
  Entry first(Map<String, String> labels) {
    Entry found = match(labels, everything == null ? Integer.MAX_VALUE : everything.order(), true);
    return found != null ? found : everything;
  }

  /**
   * A matching entry ranked below {@code bound}: the lowest-ranked one when {@code lowest}, else
   * the first found.
   */
  private Entry match(Map<String, String> labels, int bound, boolean lowest) {
    Search search = new Search(labels, bound, lowest);
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String key = label.getKey();
      String value = label.getValue();
      Map<String, Entry[]> byValue = byLiteral.get(key);
      if (byValue != null && search.done(byValue.get(value))) {
        return search.found;
      }
      Prefixes globs = byPrefix.get(key);
      if (globs != null) {
        for (int length : globs.lengths()) {
          if (length > value.length()) {
            break;
          }
          if (search.done(globs.byPrefix().get(value.substring(0, length)))) {
            return search.found;
          }
        }
      }
      if (search.done(byKey.get(key))) {
        return search.found;
      }
    }
    return search.found;
  }

  /** One lookup's progress: the best match so far, and the rank a better one must beat. */
  private static final class Search {
    private final Map<String, String> labels;
    private final boolean lowest;
    private int bound;
    private Entry found;

    Search(Map<String, String> labels, int bound, boolean lowest) {
      this.labels = labels;
      this.bound = bound;
      this.lowest = lowest;
    }

    /** Matches {@code bucket} (ascending rank); true when the lookup can stop. */
    boolean done(Entry[] bucket) {
      if (bucket == null) {
        return false;
      }
      for (Entry e : bucket) {
        if (e.order() >= bound) {
          return false;
        }
        if (e.selector().matches(labels)) {
          found = e;
          bound = e.order();
          return !lowest;
        }
      }
      return false;
    }
  }

  /** The non-empty starts of the selector's glob terms (literal terms are filed as literals). */
  private static Map<String, String> globPrefixes(LabelSelector s) {
    Map<String, String> out = new HashMap<>();
    s.prefixes()
        .forEach(
            (k, p) -> {
              if (!p.isEmpty() && !s.literals().containsKey(k)) {
                out.put(k, p);
              }
            });
    return out;
  }

  private static void count(Map<String, Map<String, Integer>> counts, String key, String text) {
    counts.computeIfAbsent(key, k -> new HashMap<>()).merge(text, 1, Integer::sum);
  }

  private static <K> Map<K, Entry[]> arrays(Map<K, List<Entry>> lists) {
    Map<K, Entry[]> out = new HashMap<>();
    lists.forEach((k, list) -> out.put(k, list.toArray(NONE)));
    return out;
  }
}
