package io.gatehouse.events.resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A label selector: a map from label key to expected value. Dynamic resource watchers of agents and
 * the label rules of roles both use it, so "which resources does this select" has one answer.
 *
 * <p>Semantics (pure, no I/O; instances are immutable and thread-safe):
 *
 * <ul>
 *   <li>Every key of one selector must match (AND); {@link #anyMatches} ORs several selectors.
 *   <li>A key matches when the resource has that label and its value matches the expression. A
 *       missing label never matches, not even {@code *}.
 *   <li>The expression is a full regular expression when written {@code ^…$}; otherwise it is a
 *       glob in which {@code *} matches any run of characters (including none) and every other
 *       character stands for itself, so a value without {@code *} must be equal.
 *   <li>The pair {@code "*": "*"} matches every resource, labelled or not. The key {@code *} with
 *       any other value is refused.
 *   <li>A selector with no keys matches nothing (configuration refuses it as a likely mistake).
 * </ul>
 */
public final class LabelSelector {
  public static final String WILDCARD = ResourceRules.WILDCARD;

  private final Map<String, String> expressions;
  private final List<Term> terms;
  private final boolean matchesEverything;
  private final Map<String, String> literals;
  private final Map<String, String> prefixes;

  private LabelSelector(
      Map<String, String> expressions, List<Term> terms, boolean matchesEverything) {
    this.expressions = expressions;
    this.terms = terms;
    this.matchesEverything = matchesEverything;
    Map<String, String> exact = new LinkedHashMap<>();
    Map<String, String> starts = new LinkedHashMap<>();
    for (Term term : terms) {
      String value = expressions.get(term.key);
      if (isRegex(value)) {
        starts.put(term.key, "");
      } else if (value.indexOf('*') < 0) {
        exact.put(term.key, value);
        starts.put(term.key, value);
      } else {
        starts.put(term.key, value.substring(0, value.indexOf('*')));
      }
    }
    this.literals = Collections.unmodifiableMap(exact);
    this.prefixes = Collections.unmodifiableMap(starts);
  }

  /**
   * Compiles a selector.
   *
   * @throws IllegalArgumentException naming the key when an expression is an invalid regular
   *     expression, or the key {@code *} has a value other than {@code *}
   */
  public static LabelSelector of(Map<String, String> expressions) {
    Map<String, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(expressions));
    List<Term> terms = new ArrayList<>();
    boolean everything = false;
    for (Map.Entry<String, String> e : copy.entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "label key");
      String value = Objects.requireNonNull(e.getValue(), "label value of " + key);
      if (key.equals(WILDCARD)) {
        if (!value.equals(WILDCARD)) {
          throw new IllegalArgumentException(
              "label key '*' matches everything only as \"*\": \"*\", got value '" + value + "'");
        }
        everything = true;
        continue;
      }
      terms.add(new Term(key, compile(key, value)));
    }
    return new LabelSelector(copy, List.copyOf(terms), everything && terms.isEmpty());
  }

  /** True when at least one of {@code selectors} matches (OR); false for none. */
  public static boolean anyMatches(
      Collection<LabelSelector> selectors, Map<String, String> labels) {
    for (LabelSelector s : selectors) {
      if (s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  /** True when every key of this selector matches {@code labels}. */
  public boolean matches(Map<String, String> labels) {
    if (matchesEverything) {
      return true;
    }
    if (terms.isEmpty()) {
      return false;
    }
    for (Term term : terms) {
      String value = labels.get(term.key);
      if (value == null || !term.pattern.matcher(value).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The expressions as written. */
  public Map<String, String> expressions() {
    return expressions;
  }

  /** True for the pair {@code "*": "*"} alone, which matches every resource. */
  public boolean matchesEverything() {
    return matchesEverything;
  }

  /** The label keys a resource must carry to match, in the order written (never {@code *}). */
  public List<String> keys() {
    return terms.stream().map(Term::key).toList();
  }

  /**
   * The terms that stand for exactly one value (neither a glob with {@code *} nor a regular
   * expression), key to value. An index may find candidates by these with a hash lookup; a match
   * still needs {@link #matches}, since the other terms must hold too.
   */
  public Map<String, String> literals() {
    return literals;
  }

  /**
   * For every term, text that every value it matches starts with: the value itself for a literal,
   * the part before the first {@code *} for a glob (empty for {@code "*"}), empty for a regular
   * expression. An index may narrow glob candidates by it.
   */
  public Map<String, String> prefixes() {
    return prefixes;
  }

  private static boolean isRegex(String value) {
    return value.length() >= 2 && value.startsWith("^") && value.endsWith("$");
  }

  private static Pattern compile(String key, String value) {
    if (isRegex(value)) {
      try {
        return Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "label '"
                + key
                + "': invalid regular expression '"
                + value
                + "': "
                + e.getDescription());
      }
    }
    StringBuilder regex = new StringBuilder();
    int start = 0;
    for (int star = value.indexOf('*'); star >= 0; star = value.indexOf('*', start)) {
      if (star > start) {
        regex.append(Pattern.quote(value.substring(start, star)));
      }
      regex.append(".*");
      start = star + 1;
    }
    if (start < value.length()) {
      regex.append(Pattern.quote(value.substring(start)));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSelector other && other.expressions.equals(expressions);
  }

  @Override
  public int hashCode() {
    return expressions.hashCode();
  }

  @Override
  public String toString() {
    return expressions.toString();
  }

  private record Term(String key, Pattern pattern) {}
}
