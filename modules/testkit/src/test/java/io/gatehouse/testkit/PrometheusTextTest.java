package io.gatehouse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusTextTest {

  private static final String VALID =
      """
            # HELP requests_total Requests served, "quoted" and with a backslash \\\\ and\\nnew line
            # TYPE requests_total counter
            requests_total{method="get",path="/a\\"b\\\\c\\nd"} 3.0
            requests_total{method="post",} 1 1700000000000
            # a free comment
            # TYPE temperature gauge
            temperature NaN
            temperature{room="cold"} -Inf
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 1.0
            latency_seconds_bucket{le="1.0"} 2.0
            latency_seconds_bucket{le="+Inf"} 2.0
            latency_seconds_count 2.0
            latency_seconds_sum 0.75
            # TYPE rpc_seconds summary
            rpc_seconds{quantile="0.5"} 1e-3
            rpc_seconds_count 4
            rpc_seconds_sum 0.004
            untyped_thing 7

            """;

  @Test
  void readsFamiliesTypesHelpLabelsAndValues() {
    PrometheusText text = PrometheusText.parse(VALID);

    assertThat(text.families().keySet())
        .containsExactly(
            "requests_total", "temperature", "latency_seconds", "rpc_seconds", "untyped_thing");
    PrometheusText.Family requests = text.families().get("requests_total");
    assertThat(requests.type()).isEqualTo(PrometheusText.Type.COUNTER);
    assertThat(requests.help())
        .isEqualTo("Requests served, \"quoted\" and with a backslash \\ and\nnew line");
    assertThat(requests.samples().get(0).labels())
        .isEqualTo(Map.of("method", "get", "path", "/a\"b\\c\nd"));
    assertThat(text.sum("requests_total")).isEqualTo(4.0);
    assertThat(text.sum("requests_total", Map.of("method", "post"))).isEqualTo(1.0);
    assertThat(text.sum("temperature", Map.of("room", "cold"))).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(text.sum("latency_seconds_count")).isEqualTo(2.0);
    assertThat(text.sum("rpc_seconds", Map.of("quantile", "0.5"))).isEqualTo(0.001);
    assertThat(text.families().get("untyped_thing").type()).isEqualTo(PrometheusText.Type.UNTYPED);
  }

  @Test
  void aMissingSampleIsAnAssertionFailure() {
    assertThatThrownBy(
            () -> PrometheusText.parse(VALID).sum("requests_total", Map.of("method", "put")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("requests_total");
  }

  /** case, text, expected message fragment. */
  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("no final line feed", "a 1", "does not end with a line feed"),
        Arguments.of("bad metric name", "1a 1\n", "invalid metric name '1a'"),
        Arguments.of("dash in a name", "a-b 1\n", "invalid metric name 'a-b'"),
        Arguments.of("no value", "a\n", "a sample needs a value"),
        Arguments.of("bad value", "a one\n", "invalid number 'one'"),
        Arguments.of("lower-case inf", "a inf\n", "invalid number 'inf'"),
        Arguments.of("bad timestamp", "a 1 1.5\n", "invalid timestamp '1.5'"),
        Arguments.of("extra field", "a 1 2 3\n", "expected ' value [timestamp]'"),
        Arguments.of("bad label name", "a{0x=\"v\"} 1\n", "invalid label name '0x'"),
        Arguments.of("unquoted label value", "a{x=v} 1\n", "value not in double quotes"),
        Arguments.of("bad escape", "a{x=\"\\t\"} 1\n", "invalid escape '\\t'"),
        Arguments.of("unterminated value", "a{x=\"v} 1\n", "unterminated value"),
        Arguments.of("missing comma", "a{x=\"v\" y=\"w\"} 1\n", "expected ',' or '}'"),
        Arguments.of("duplicate label", "a{x=\"v\",x=\"w\"} 1\n", "label x appears twice"),
        Arguments.of("no blank after labels", "a{x=\"v\"}1\n", "expected ' value [timestamp]'"),
        Arguments.of("unknown type", "# TYPE a countr\na 1\n", "unknown type 'countr'"),
        Arguments.of("second TYPE", "# TYPE a gauge\n# TYPE a gauge\n", "second TYPE for a"),
        Arguments.of("second HELP", "# HELP a x\n# HELP a y\n", "second HELP for a"),
        Arguments.of("TYPE after samples", "a 1\n# TYPE a gauge\n", "TYPE for a after its samples"),
        Arguments.of("duplicate series", "a{x=\"1\"} 1\na{x=\"1\"} 2\n", "appears twice"),
        Arguments.of(
            "family split",
            "a 1\nb 1\na{x=\"1\"} 1\n",
            "samples of a are not on consecutive lines"),
        Arguments.of(
            "bucket without le", "# TYPE h histogram\nh_bucket 1\n", "h_bucket needs a 'le' label"),
        Arguments.of(
            "no +Inf bucket",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",
            "has no le=\"+Inf\" bucket"),
        Arguments.of(
            "non-cumulative buckets",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
            "not ascending and cumulative"),
        Arguments.of(
            "count differs",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\n",
            "_count 1.0 differs from the +Inf bucket 2.0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsTextThatBreaksTheFormat(String name, String text, String message) {
    assertThatThrownBy(() -> PrometheusText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
