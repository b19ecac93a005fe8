package io.gatehouse.agent.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.ServedResource.Origin;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourceCatalogTest {

  private static final AgentConfig CONFIG =
      AgentConfig.parse(
          """
          agent: { proxy: 'localhost:3080' }
          app_service:
            apps: [ { name: web, uri: 'http://static-web:80', labels: { env: prod } } ]
            resources: [ { labels: { env: prod } }, { labels: { team: 'db-*' } } ]
          db_service:
            resources: [ { labels: { '*': '*' } } ]
          kubernetes_service:
            enabled: false
            resources: [ { labels: { '*': '*' } } ]
          """,
          "catalog.yaml");

  private final List<String> events = new ArrayList<>();
  private ResourceCatalog catalog;

  @BeforeEach
  void open() {
    catalog = new ResourceCatalog("agent-1", CONFIG);
    catalog.open(
        new ResourceCatalog.Listener() {
          @Override
          public void served(ServedResource r) {
            events.add(
                "serve "
                    + r.key()
                    + " "
                    + r.origin().word()
                    + " "
                    + r.uri()
                    + " "
                    + new java.util.TreeMap<>(r.labels()));
          }

          @Override
          public void stopped(ServedResource r) {
            events.add("stop " + r.key());
          }
        });
  }

  private static ResourceDefinition def(
      String kind, String name, Map<String, String> labels, String uri) {
    return ResourceDefinition.newBuilder()
        .setKind(kind)
        .setName(name)
        .setLabels(labels)
        .setSpec(new ResourceSpec(uri, null))
        .setUpdatedAt(Instant.EPOCH)
        .build();
  }

  @Test
  void servesStaticResourcesOnOpen() {
    assertThat(events).containsExactly("serve app/web static http://static-web:80 {env=prod}");
    assertThat(catalog.served()).extracting(ServedResource::origin).containsExactly(Origin.STATIC);
    assertThat(catalog.lookup("app/web")).isPresent();
  }

  @Test
  void servesMatchingDefinitionsUpdatesThemAndStopsWhenTheyNoLongerMatch() {
    events.clear();
    catalog.define("app/api", def("app", "api", Map.of("env", "prod"), "http://api:1"));
    catalog.define("app/api", def("app", "api", Map.of("env", "prod"), "http://api:2"));
    catalog.define(
        "app/api", def("app", "api", Map.of("env", "prod", "team", "db-x"), "http://api:2"));
    catalog.define("app/api", def("app", "api", Map.of("env", "dev"), "http://api:2"));

    assertThat(events)
        .containsExactly(
            "serve app/api dynamic http://api:1 {env=prod}",
            "serve app/api dynamic http://api:2 {env=prod}",
            "serve app/api dynamic http://api:2 {env=prod, team=db-x}",
            "stop app/api");
    assertThat(catalog.lookup("app/api")).isEmpty();
  }

  @Test
  void reapplyingTheSameDefinitionReportsNothing() {
    events.clear();
    ResourceDefinition d = def("db", "pg", Map.of(), "pg:5432");
    catalog.define("db/pg", d);
    catalog.define("db/pg", d);
    catalog.define("db/missing", null);
    assertThat(events).containsExactly("serve db/pg dynamic pg:5432 {}");
  }

  @Test
  void deleteStopsServing() {
    catalog.define("db/pg", def("db", "pg", Map.of(), "pg:5432"));
    events.clear();
    catalog.define("db/pg", null);
    assertThat(events).containsExactly("stop db/pg");
  }

  @Test
  void staticWinsANameClashAndStaysWhenTheDynamicOneGoes() {
    events.clear();
    catalog.define("app/web", def("app", "web", Map.of("env", "prod"), "http://dynamic-web:80"));
    catalog.define("app/web", null);
    assertThat(events).isEmpty();
    assertThat(catalog.lookup("app/web").orElseThrow().resource().uri())
        .isEqualTo("http://static-web:80");
  }

  @Test
  void ignoresDisabledServicesUnknownKindsBadUrisAndMismatchedKeys() {
    events.clear();
    catalog.define("kube/k", def("kube", "k", Map.of(), "https://k:6443"));
    catalog.define("desktop/d", def("desktop", "d", Map.of(), "d:3389"));
    catalog.define("x/y", def("printer", "y", Map.of(), "p:9100"));
    catalog.define("db/bad", def("db", "bad", Map.of(), "http://pg:5432"));
    catalog.define("db/other", def("db", "pg", Map.of(), "pg:5432"));
    assertThat(events).isEmpty();
    assertThat(catalog.served()).extracting(ServedResource::key).containsExactly("app/web");
  }

  @Test
  void definitionsAppliedBeforeOpenAreServedOnOpen() {
    ResourceCatalog fresh = new ResourceCatalog("agent-2", CONFIG);
    fresh.define("db/pg", def("db", "pg", Map.of(), "pg:5432"));
    List<String> seen = new ArrayList<>();
    fresh.open(
        new ResourceCatalog.Listener() {
          @Override
          public void served(ServedResource r) {
            seen.add(r.key());
          }

          @Override
          public void stopped(ServedResource r) {
            seen.add("stop " + r.key());
          }
        });
    assertThat(seen).containsExactlyInAnyOrder("app/web", "db/pg");
    assertThat(fresh.watchesResources()).isTrue();
  }
}
