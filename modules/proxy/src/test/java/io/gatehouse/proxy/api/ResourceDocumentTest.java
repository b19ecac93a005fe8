package io.gatehouse.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.ResourceRules;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceDocumentTest {
  @Test
  void readsYaml() {
    ResourceDocument d =
        ResourceDocument.parse(
            """
            kind: db
            version: v1
            metadata:
              name: pg-a
              labels: { env: dev, team: data }
            spec:
              uri: "tcp://10.0.0.5:5432"
              protocol: postgres
            """,
            "pg.yaml");
    assertThat(d.resource().kind()).isEqualTo(ResourceKind.DB);
    assertThat(d.resource().name()).isEqualTo("pg-a");
    assertThat(d.labels()).isEqualTo(Map.of("env", "dev", "team", "data"));
    assertThat(d.uri()).isEqualTo("tcp://10.0.0.5:5432");
    assertThat(d.protocol()).contains("postgres");
    ResourceDefinition def = d.toDefinition(Instant.EPOCH, "alice");
    assertThat(def.getSpec().getProtocol()).isEqualTo("postgres");
    assertThat(def.getUpdatedBy()).isEqualTo("alice");
  }

  @Test
  void readsTheJsonEquivalent() {
    ResourceDocument d =
        ResourceDocument.parse(
            "{\"kind\":\"app\",\"version\":\"v1\",\"metadata\":{\"name\":\"demo\",\"labels\":{\"env\":\"dev\"}},"
                + "\"spec\":{\"uri\":\"http://localhost:8080/base\"}}",
            "body");
    assertThat(d.resource().key()).isEqualTo("app/demo");
    assertThat(d.protocol()).isEmpty();
  }

  @Test
  void everyProblemNamesItsField() {
    assertThatThrownBy(
            () ->
                ResourceDocument.parse(
                    """
                    kind: app
                    version: v2
                    metadata: { name: Demo_1 }
                    spec: { uri: "ftp://x", protocol: postgres, extra: 1 }
                    """,
                    "body"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(p -> p.path())
                  .containsExactlyInAnyOrder(
                      "version", "metadata.name", "spec.uri", "spec.protocol", "spec.extra");
              assertThat(e.getMessage()).contains("body: spec.uri: invalid URI 'ftp://x'");
            });
  }

  @Test
  void kindMustBeOneOfFour() {
    assertThatThrownBy(
            () ->
                ResourceDocument.parse(
                    "kind: vm\nversion: v1\nmetadata: {name: x}\nspec: {uri: \"http://a\"}", "b"))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(ResourceDocument.field(e)).isEqualTo("kind"));
  }

  @Test
  void missingSectionsAreNamed() {
    assertThatThrownBy(() -> ResourceDocument.parse("kind: app\nversion: v1\n", "b"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path())
                    .containsExactly("metadata", "spec"));
  }

  @Test
  void uriRulesFollowTheKind() {
    assertThat(ResourceRules.checkUri(ResourceKind.DB, "pg.internal:5432"))
        .isEqualTo("pg.internal:5432");
    assertThat(ResourceRules.checkUri(ResourceKind.DESKTOP, "rdp://win:3389"))
        .isEqualTo("rdp://win:3389");
    assertThat(ResourceRules.checkUri(ResourceKind.APP, "tcp://svc:7000"))
        .isEqualTo("tcp://svc:7000");
    assertThat(ResourceRules.checkUri(ResourceKind.KUBE, "https://k8s:6443"))
        .isEqualTo("https://k8s:6443");
    assertThatThrownBy(() -> ResourceRules.checkUri(ResourceKind.DB, "http://pg:5432"))
        .hasMessageContaining("TCP stream");
    assertThatThrownBy(() -> ResourceRules.checkUri(ResourceKind.DB, "pg"))
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> ResourceRules.checkUri(ResourceKind.KUBE, "tcp://k:1"))
        .hasMessageContaining("http://");
    assertThatThrownBy(() -> ResourceRules.checkUri(ResourceKind.APP, "http://x/?q=1"))
        .hasMessageContaining("query");
    assertThatThrownBy(() -> ResourceRules.checkUri(ResourceKind.APP, "tcp://x"))
        .hasMessageContaining("missing port");
  }

  @Test
  void labelsAreBoundedInNumberAndSize() {
    String many =
        java.util.stream.IntStream.range(0, ResourceRules.MAX_LABELS + 1)
            .mapToObj(i -> "k" + i + ": v")
            .collect(java.util.stream.Collectors.joining(", ", "{ ", " }"));
    assertThatThrownBy(
            () ->
                ResourceDocument.parse(
                    "kind: app\nversion: v1\nmetadata: { name: a, labels: "
                        + many
                        + " }\nspec: { uri: \"http://10.0.0.1\" }\n",
                    "many.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metadata.labels: 65 labels: at most 64 per resource");
    String big = "x".repeat(ResourceRules.MAX_LABEL_TEXT + 1);
    assertThatThrownBy(
            () ->
                ResourceDocument.parse(
                    "kind: app\nversion: v1\nmetadata: { name: a, labels: { note: "
                        + big
                        + " } }\nspec: { uri: \"http://10.0.0.1\" }\n",
                    "big.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("label 'note': keys and values have at most 256 characters");
  }
}
