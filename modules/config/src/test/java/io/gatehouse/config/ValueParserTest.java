package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParserTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "pg",
        "my-app",
        "a1",
        "0",
        "x-1-y",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"
      })
  void acceptsDnsLabels(String name) {
    assertThat(DnsLabel.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-a",
        "a-",
        "My-App",
        "a_b",
        "a.b",
        "a/b",
        "ü",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"
      })
  void refusesOtherNames(String name) {
    assertThat(DnsLabel.isValid(name)).isFalse();
    assertThatThrownBy(() -> ValueParser.dnsLabel().parse(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid name '" + name + "'");
  }

  @ParameterizedTest
  @CsvSource({
    "500ms,500",
    "1s,1000",
    "3m,180000",
    "1h,3600000",
    "2d,172800000",
    "1m30s,90000",
    "0s,0"
  })
  void parsesDurations(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    assertThat(Durations.parse(Durations.format(Duration.ofMillis(millis))))
        .isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "3", "1 s", "1sec", "-1s", "1.5s", "s"})
  void refusesDurationsWithoutAUnit(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).hasMessageContaining("invalid duration");
  }

  @Test
  void positiveDurationRefusesZero() {
    assertThatThrownBy(() -> ValueParser.positiveDuration().parse("0ms"))
        .hasMessageContaining("longer than zero");
  }

  @ParameterizedTest
  @CsvSource({
    "localhost:9092,localhost,9092",
    "10.0.0.5:3024,10.0.0.5,3024",
    "'[::1]:80',::1,80",
    "0.0.0.0:0,0.0.0.0,0"
  })
  void parsesHostPorts(String text, String host, int port) {
    assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"localhost", ":80", "host:", "host:http", "host:70000", "::1:80", "a b:1"})
  void refusesBadHostPorts(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostPortRefusesPortZeroWhereADialIsMeant() {
    assertThatThrownBy(() -> ValueParser.hostPort().parse("h:0")).hasMessageContaining("port 0");
    assertThat(ValueParser.bindAddress().parse("h:0").port()).isZero();
    assertThat(new HostPort("::1", 5).toString()).isEqualTo("[::1]:5");
    assertThat(ValueParser.hostPorts().parse("a:1, b:2"))
        .containsExactly(new HostPort("a", 1), new HostPort("b", 2));
  }

  @Test
  void urisAreCheckedBySchemeHostAndPort() {
    ValueParser<URI> http = ValueParser.uri("http", "https");
    assertThat(http.parse("http://localhost:8080/x")).hasHost("localhost").hasPort(8080);
    assertThat(http.parse("HTTPS://example.com")).hasHost("example.com");
    assertThatThrownBy(() -> http.parse("tcp://h:1"))
        .hasMessageContaining("scheme must be one of http, https");
    assertThatThrownBy(() -> http.parse("localhost:8080"))
        .hasMessageContaining("scheme must be one of");
    assertThatThrownBy(() -> http.parse("http:///path")).hasMessageContaining("missing host");
    assertThatThrownBy(() -> http.parse("http://h:99999"))
        .hasMessageContaining("port out of range");
    assertThatThrownBy(() -> http.parse("http://h h")).hasMessageContaining("invalid URI");
  }

  @Test
  void regexAndOneOf() {
    assertThat(ValueParser.regex().parse("^a.*$").matcher("abc").matches()).isTrue();
    assertThatThrownBy(() -> ValueParser.regex().parse("^(a$"))
        .hasMessageContaining("invalid regular expression");
    assertThat(ValueParser.oneOf("a", "b").parse("a")).isEqualTo("a");
    assertThatThrownBy(() -> ValueParser.oneOf("a", "b").parse("c"))
        .hasMessage("'c' is not one of a, b");
  }
}
