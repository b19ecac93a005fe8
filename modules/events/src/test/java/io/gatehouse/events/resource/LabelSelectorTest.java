package io.gatehouse.events.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorTest {

  private static final Map<String, String> PROD_EAST =
      Map.of("env", "prod", "region", "us-east-1", "team", "db");

  /** case, selectors (OR of ANDs), resource labels, expected match. */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("single key equal", List.of(Map.of("env", "prod")), PROD_EAST, true),
        Arguments.of("single key different", List.of(Map.of("env", "dev")), PROD_EAST, false),
        Arguments.of(
            "AND: all keys match",
            List.of(Map.of("env", "prod", "region", "us-east-1")),
            PROD_EAST,
            true),
        Arguments.of(
            "AND: one key differs",
            List.of(Map.of("env", "prod", "region", "eu-west-1")),
            PROD_EAST,
            false),
        Arguments.of(
            "OR: second selector matches",
            List.of(Map.of("env", "dev"), Map.of("team", "db")),
            PROD_EAST,
            true),
        Arguments.of(
            "OR: none matches",
            List.of(Map.of("env", "dev"), Map.of("team", "web")),
            PROD_EAST,
            false),
        Arguments.of("wildcard pair matches labels", List.of(Map.of("*", "*")), PROD_EAST, true),
        Arguments.of("wildcard pair matches no labels", List.of(Map.of("*", "*")), Map.of(), true),
        Arguments.of("value * needs the key", List.of(Map.of("owner", "*")), PROD_EAST, false),
        Arguments.of(
            "value * matches any value of a present key",
            List.of(Map.of("env", "*")),
            PROD_EAST,
            true),
        Arguments.of("glob prefix", List.of(Map.of("region", "us-*")), PROD_EAST, true),
        Arguments.of("glob suffix", List.of(Map.of("region", "*-1")), PROD_EAST, true),
        Arguments.of("glob middle", List.of(Map.of("region", "us-*-1")), PROD_EAST, true),
        Arguments.of("glob no match", List.of(Map.of("region", "eu-*")), PROD_EAST, false),
        Arguments.of(
            "glob dot is literal", List.of(Map.of("region", "us.east-1")), PROD_EAST, false),
        Arguments.of("glob ? is literal", List.of(Map.of("env", "pro?")), PROD_EAST, false),
        Arguments.of(
            "regex full match",
            List.of(Map.of("region", "^us-(east|west)-[0-9]$")),
            PROD_EAST,
            true),
        Arguments.of(
            "regex must match whole value", List.of(Map.of("region", "^us$")), PROD_EAST, false),
        Arguments.of("regex no match", List.of(Map.of("env", "^(dev|staging)$")), PROD_EAST, false),
        Arguments.of("missing key", List.of(Map.of("owner", "alice")), PROD_EAST, false),
        Arguments.of(
            "missing key in an AND",
            List.of(Map.of("env", "prod", "owner", "alice")),
            PROD_EAST,
            false),
        Arguments.of("empty selector matches nothing", List.of(Map.of()), PROD_EAST, false),
        Arguments.of("no selectors match nothing", List.of(), PROD_EAST, false),
        Arguments.of("empty labels against a key", List.of(Map.of("env", "prod")), Map.of(), false),
        Arguments.of(
            "empty value matches empty value", List.of(Map.of("env", "")), Map.of("env", ""), true),
        Arguments.of(
            "wildcard pair AND another key",
            List.of(Map.of("*", "*", "env", "prod")),
            PROD_EAST,
            true),
        Arguments.of(
            "wildcard pair AND a failing key",
            List.of(Map.of("*", "*", "env", "dev")),
            PROD_EAST,
            false),
        Arguments.of(
            "values are case-sensitive", List.of(Map.of("env", "Prod")), PROD_EAST, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void selectorSemantics(
      String name,
      List<Map<String, String>> selectors,
      Map<String, String> labels,
      boolean expected) {
    List<LabelSelector> compiled = selectors.stream().map(LabelSelector::of).toList();
    assertThat(LabelSelector.anyMatches(compiled, labels)).as(name).isEqualTo(expected);
  }

  @Test
  void wildcardKeyWithAnotherValueIsRefused() {
    assertThatThrownBy(() -> LabelSelector.of(Map.of("*", "prod")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"*\": \"*\"");
  }

  @Test
  void invalidRegexIsRefusedWithTheKey() {
    assertThatThrownBy(() -> LabelSelector.of(Map.of("env", "^(prod$")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("label 'env': invalid regular expression '^(prod$'");
  }

  @Test
  void selectorsCompareByTheirExpressions() {
    assertThat(LabelSelector.of(Map.of("a", "b"))).isEqualTo(LabelSelector.of(Map.of("a", "b")));
    assertThat(LabelSelector.of(Map.of("a", "b")).expressions())
        .containsExactly(Map.entry("a", "b"));
  }

  @Test
  void literalsAndPrefixesNarrowWhatATermCanMatch() {
    LabelSelector s =
        LabelSelector.of(
            new java.util.LinkedHashMap<>(
                Map.of("env", "prod", "region", "us-*", "team", "^(a|b)$", "tier", "1")));
    assertThat(s.literals()).containsOnly(Map.entry("env", "prod"), Map.entry("tier", "1"));
    assertThat(s.keys()).containsExactlyInAnyOrder("env", "region", "team", "tier");
    assertThat(s.prefixes())
        .containsOnly(
            Map.entry("env", "prod"),
            Map.entry("region", "us-"),
            Map.entry("team", ""),
            Map.entry("tier", "1"));
    assertThat(s.matchesEverything()).isFalse();
    LabelSelector all = LabelSelector.of(Map.of("*", "*"));
    assertThat(all.matchesEverything()).isTrue();
    assertThat(all.keys()).isEmpty();
    assertThat(all.literals()).isEmpty();
  }
}
