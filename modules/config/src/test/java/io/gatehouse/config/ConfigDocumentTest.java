package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDocumentTest {

  private static ConfigException failure(ConfigDocument doc) {
    try {
      doc.requireValid();
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected the document to be invalid");
  }

  @Test
  void readsTypedValuesWithDefaults() {
    ConfigDocument doc =
        ConfigDocument.parse(
            """
            server:
              listen: "127.0.0.1:3024"
              timeout: 1m30s
              enabled: true
              workers: 4
              labels: { env: prod, tier: 1 }
              names: [a, b]
            """,
            "x.yaml");
    ConfigNode server = doc.root().object("server");

    assertThat(server.value("listen", ValueParser.bindAddress()))
        .contains(new HostPort("127.0.0.1", 3024));
    assertThat(server.duration("timeout", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
    assertThat(server.bool("enabled", false)).isTrue();
    assertThat(server.integer("workers", 1, 1, 64)).isEqualTo(4);
    assertThat(server.stringMap("labels"))
        .containsExactly(Map.entry("env", "prod"), Map.entry("tier", "1"));
    assertThat(server.strings("names")).containsExactly("a", "b");
    assertThat(server.string("missing", "dflt")).isEqualTo("dflt");
    assertThat(server.object("absent").isPresent()).isFalse();
    doc.requireValid();
  }

  @Test
  void unknownKeysAreReportedWithTheirPathAndTheKnownKeys() {
    ConfigDocument doc =
        ConfigDocument.parse(
            """
            server:
              listen: "127.0.0.1:3024"
              lisen: "x"
              colour: blue
            extra: 1
            """,
            "x.yaml");
    ConfigNode server = doc.root().object("server");
    server.string("listen");
    server.string("timeout");

    assertThat(failure(doc).getMessage())
        .isEqualTo(
            String.join(
                "\n",
                "x.yaml: server.lisen: unknown key (did you mean 'listen'?)",
                "x.yaml: server.colour: unknown key (expected one of: listen, timeout)",
                "x.yaml: extra: unknown key (expected one of: server)"));
  }

  @Test
  void collectsEveryProblemBeforeFailing() {
    ConfigDocument doc =
        ConfigDocument.parse(
            """
            apps:
              - { name: ok, uri: "http://localhost:8080" }
              - { name: Bad_Name, uri: "ftp://x" }
              - { uri: "http://localhost" }
              - just-a-string
            timeout: 3
            enabled: "yes"
            """,
            "agent.yaml");
    for (ConfigNode app : doc.root().objects("apps")) {
      app.required("name", ValueParser.dnsLabel());
      app.required("uri", ValueParser.uri("http", "https"));
    }
    doc.root().duration("timeout", Duration.ZERO);
    doc.root().bool("enabled", false);

    ConfigException e = failure(doc);
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactly(
            "apps[3]", "apps[1].name", "apps[1].uri", "apps[2].name", "timeout", "enabled");
    assertThat(e.getMessage().lines())
        .allSatisfy(line -> assertThat(line).startsWith("agent.yaml: "))
        .anySatisfy(line -> assertThat(line).contains("apps[1].name: invalid name 'Bad_Name'"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains(
                        "apps[1].uri: invalid URI 'ftp://x': scheme must be one of http, https"))
        .anySatisfy(
            line -> assertThat(line).isEqualTo("agent.yaml: apps[2].name: missing required key"))
        .anySatisfy(
            line ->
                assertThat(line).contains("apps[3]: expected a map of keys, got 'just-a-string'"))
        .anySatisfy(line -> assertThat(line).contains("timeout: invalid duration '3'"))
        .anySatisfy(
            line -> assertThat(line).contains("enabled: expected true or false, got 'yes'"));
  }

  @Test
  void wrongShapesAreProblemsNotExceptions() {
    ConfigDocument doc = ConfigDocument.parse("a: [1]\nb: {x: 1}\nc: 5\n", "s.yaml");
    assertThat(doc.root().object("a").isPresent()).isFalse();
    assertThat(doc.root().string("b")).isEmpty();
    assertThat(doc.root().objects("c")).isEmpty();
    assertThat(failure(doc).problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "s.yaml: a: expected a map of keys, got a list",
            "s.yaml: b: expected a single value, got a map",
            "s.yaml: c: expected a list, got 5");
  }

  @Test
  void isListTellsOneItemFromAListAndCountsAsAsking() {
    ConfigDocument doc = ConfigDocument.parse("one: { a: b }\nmany: [ { a: b } ]\n", "x.yaml");
    assertThat(doc.root().isList("one")).isFalse();
    assertThat(doc.root().isList("many")).isTrue();
    assertThat(doc.root().isList("missing")).isFalse();
    doc.root().stringMap("one");
    doc.root().objects("many").forEach(item -> item.string("a"));
    doc.requireValid();
  }

  @Test
  void yaml11BooleansAndDatesStayStrings() {
    ConfigDocument doc =
        ConfigDocument.parse(
            "labels: { env: on, region: no, built: 2026-01-01, n: 0755 }", "l.yaml");
    assertThat(doc.root().stringMap("labels"))
        .containsEntry("env", "on")
        .containsEntry("region", "no")
        .containsEntry("built", "2026-01-01")
        .containsEntry("n", "0755");
  }

  @Test
  void syntaxErrorsNameTheFileAndLine() {
    assertThatThrownBy(() -> ConfigDocument.parse("a: 1\nb: [unclosed\n", "bad.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad.yaml: invalid YAML at line ");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> ConfigDocument.parse("a: 1\na: 2\n", "dup.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dup.yaml: invalid YAML at line 2")
        .hasMessageContaining("duplicate key a");
  }

  @Test
  void arbitraryTypesAreRefused() {
    assertThatThrownBy(() -> ConfigDocument.parse("a: !!java.io.File [\"/tmp\"]\n", "evil.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("evil.yaml: invalid YAML");
  }

  @Test
  void emptyDocumentIsAnEmptyMapAndANonMapIsAProblem(@TempDir Path dir) throws Exception {
    assertThat(ConfigDocument.parse("", "e.yaml").root().keys()).isEmpty();
    ConfigDocument list = ConfigDocument.parse("- a\n- b\n", "l.yaml");
    assertThat(failure(list).getMessage())
        .isEqualTo("l.yaml: the document must be a map of keys, got a list");

    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "k: v\n");
    ConfigDocument loaded = ConfigDocument.load(file);
    assertThat(loaded.source()).isEqualTo(file.toString());
    assertThat(loaded.root().string("k")).contains("v");
  }

  @Test
  void missingFileNamesTheFile(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigDocument.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": cannot read the file: no such file");
  }

  @Test
  void freeFormMapsAreNotCheckedForUnknownKeys() {
    ConfigDocument doc = ConfigDocument.parse("labels: { anything: goes, '*': '*' }\n", "f.yaml");
    assertThat(doc.root().stringMap("labels")).containsKeys("anything", "*");
    doc.requireValid();
  }

  @Test
  void problemsCanBeAddedByTheReader() {
    ConfigDocument doc = ConfigDocument.parse("hb: { interval: 5s, ttl: 1s }\n", "h.yaml");
    ConfigNode hb = doc.root().object("hb");
    Duration interval = hb.duration("interval", Duration.ofSeconds(1));
    Duration ttl = hb.duration("ttl", Duration.ofSeconds(3));
    if (ttl.compareTo(interval) <= 0) {
      hb.problem("ttl", "must be longer than interval (" + Durations.format(interval) + ")");
    }
    assertThat(failure(doc).problems())
        .containsExactly(
            new ConfigProblem("h.yaml", "hb.ttl", "must be longer than interval (5s)"));
  }

  @Test
  void listsOfScalarsReportBadItemsByIndex() {
    ConfigDocument doc = ConfigDocument.parse("xs: [a, {b: 1}, 3]\n", "x.yaml");
    assertThat(doc.root().strings("xs")).isEqualTo(List.of("a", "3"));
    assertThat(failure(doc).getMessage())
        .isEqualTo("x.yaml: xs[1]: expected a single value, got a map");
  }
}
