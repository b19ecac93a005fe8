package io.gatehouse.events.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.ResourceKind;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every resource rule in one table: what passes, and the exact reason for what does not. */
class ResourceRulesTest {

  /** One row: a rule applied to an input, and the value it keeps or the reason it refuses. */
  record Row(
      String rule, Function<String, String> check, String input, String kept, String reason) {
    static Row accepts(String rule, Function<String, String> check, String input, String kept) {
      return new Row(rule, check, input, kept, null);
    }

    static Row refuses(String rule, Function<String, String> check, String input, String reason) {
      return new Row(rule, check, input, null, reason);
    }

    @Override
    public String toString() {
      return rule + " '" + input + "' -> " + (reason == null ? "keeps '" + kept + "'" : reason);
    }
  }

  private static Function<String, String> uri(ResourceKind kind) {
    return text -> ResourceRules.checkUri(kind, text);
  }

  static Stream<Row> rules() {
    Function<String, String> name = ResourceRules::checkName;
    Function<String, String> label = ResourceRules::checkLabelKey;
    Function<String, String> protocol = ResourceRules::checkProtocol;
    Function<String, String> app = uri(ResourceKind.APP);
    Function<String, String> kube = uri(ResourceKind.KUBE);
    Function<String, String> db = uri(ResourceKind.DB);
    Function<String, String> desktop = uri(ResourceKind.DESKTOP);
    String dnsReason =
        "invalid name 'My_App': use 1 to 63 lowercase letters, digits and '-', starting and ending"
            + " with a letter or digit";
    return Stream.of(
        Row.accepts("name", name, "pg-a", "pg-a"),
        Row.accepts("name", name, "a".repeat(63), "a".repeat(63)),
        Row.refuses("name", name, "My_App", dnsReason),
        Row.refuses("name", name, "-a", "invalid name '-a'"),
        Row.refuses("name", name, "a".repeat(64), "invalid name '" + "a".repeat(64) + "'"),
        Row.accepts("label key", label, "team", "team"),
        Row.accepts("label key", label, "app.kubernetes.io/name", "app.kubernetes.io/name"),
        Row.refuses("label key", label, "*", "invalid label key '*'"),
        Row.refuses("label key", label, " ", "invalid label key ' '"),
        Row.accepts("protocol", protocol, "postgres", "postgres"),
        Row.refuses(
            "protocol",
            protocol,
            "Postgre SQL",
            "invalid protocol 'Postgre SQL': expected a word such as postgres, mysql or rdp"),
        Row.accepts("app uri", app, " http://localhost:8080/base ", "http://localhost:8080/base"),
        Row.accepts("app uri", app, "https://api.internal/v1/", "https://api.internal/v1/"),
        Row.accepts("app uri", app, "tcp://svc:7000", "tcp://svc:7000"),
        Row.accepts("app uri", app, "http://[::1]:8080", "http://[::1]:8080"),
        Row.refuses("app uri", app, "", "missing URI"),
        Row.refuses("app uri", app, null, "missing URI"),
        Row.refuses(
            "app uri",
            app,
            "ftp://h",
            "invalid URI 'ftp://h': expected http://, https:// or tcp://host:port"),
        Row.refuses(
            "app uri",
            app,
            "localhost:8080",
            "invalid URI 'localhost:8080': expected http://, https:// or tcp://host:port"),
        Row.refuses("app uri", app, "http:///x", "invalid URI 'http:///x': missing host"),
        Row.refuses(
            "app uri",
            app,
            "http://h/?q=1",
            "invalid URI 'http://h/?q=1': a query or fragment is not allowed"),
        Row.refuses(
            "app uri",
            app,
            "http://h#top",
            "invalid URI 'http://h#top': a query or fragment is not allowed"),
        Row.refuses("app uri", app, "http://h:0", "invalid URI 'http://h:0': port must be 1-65535"),
        Row.refuses("app uri", app, "tcp://h", "invalid URI 'tcp://h': missing port"),
        Row.refuses(
            "app uri",
            app,
            "http://h h",
            "invalid URI 'http://h h': Illegal character in authority"),
        Row.accepts("kube uri", kube, "https://k8s:6443", "https://k8s:6443"),
        Row.refuses(
            "kube uri",
            kube,
            "tcp://k:6443",
            "invalid URI 'tcp://k:6443': expected http:// or https://"),
        Row.accepts("db uri", db, "pg.internal:5432", "pg.internal:5432"),
        Row.accepts("db uri", db, "tcp://pg.internal:5432", "tcp://pg.internal:5432"),
        Row.accepts("db uri", db, "postgres://pg.internal:5432", "postgres://pg.internal:5432"),
        Row.accepts("db uri", db, "tcp://pg:5432/", "tcp://pg:5432/"),
        Row.refuses(
            "db uri",
            db,
            "http://pg:5432",
            "invalid URI 'http://pg:5432': this kind is relayed as a TCP stream; use host:port or"
                + " tcp://host:port"),
        Row.refuses(
            "db uri",
            db,
            "pg.internal",
            "invalid address 'pg.internal': expected host:port or tcp://host:port"),
        Row.refuses("db uri", db, "pg:0", "invalid address 'pg:0': port must be 1-65535"),
        Row.refuses(
            "db uri",
            db,
            "tcp://pg:5432/x",
            "invalid URI 'tcp://pg:5432/x': a TCP address has no path or query"),
        Row.refuses(
            "db uri",
            db,
            "tcp://pg:5432?x=1",
            "invalid URI 'tcp://pg:5432?x=1': a TCP address has no path or query"),
        Row.refuses("db uri", db, "tcp://pg:0", "invalid URI 'tcp://pg:0': port must be 1-65535"),
        Row.accepts("desktop uri", desktop, "rdp://win:3389", "rdp://win:3389"),
        Row.accepts("desktop uri", desktop, "[::1]:3389", "[::1]:3389"),
        Row.refuses("desktop uri", desktop, "  ", "missing URI"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleKeepsWhatFitsAndNamesTheReasonForWhatDoesNot(Row row) {
    if (row.reason() == null) {
      assertThat(row.check().apply(row.input())).isEqualTo(row.kept());
    } else {
      assertThatThrownBy(() -> row.check().apply(row.input()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(row.reason());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void onlyStreamKindsHaveAProtocol(ResourceKind kind, boolean hasProtocol) {
    assertThat(ResourceRules.hasProtocol(kind)).isEqualTo(hasProtocol);
  }

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of(ResourceKind.APP, false),
        Arguments.of(ResourceKind.KUBE, false),
        Arguments.of(ResourceKind.DB, true),
        Arguments.of(ResourceKind.DESKTOP, true));
  }
}
