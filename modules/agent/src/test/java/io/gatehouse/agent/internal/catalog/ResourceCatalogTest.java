package io.gatehouse.agent.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.ServedResource.Origin;
import io.gatehouse.agent.internal.destination.ProxyDirectory;
import io.gatehouse.agent.internal.destination.RefusedDefinitions;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

  private static RefusedDefinitions refused(String agentId) {
    return new RefusedDefinitions(agentId, new SimpleMeterRegistry());
  }

  private ResourceCatalog catalog;

  @BeforeEach
  void open() {
    catalog = new ResourceCatalog("agent-1", CONFIG, new ProxyDirectory(), refused("agent-1"));
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
    ResourceCatalog fresh =
        new ResourceCatalog("agent-2", CONFIG, new ProxyDirectory(), refused("agent-2"));
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

  @Test
  void aDefinitionPointingWhereNoMatchingWatcherAllowsIsNotServedAndIsCountedOnce() {
    AgentConfig config =
        AgentConfig.parse(
            """
            agent: { proxy: 'gatehouse.example.com:3080' }
            app_service:
              resources:
                - labels: { env: dev }
                - labels: { team: ops }
                  destinations: [ "127.0.0.1:3090" ]
            """,
            "guarded.yaml");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ProxyDirectory proxies = new ProxyDirectory();
    proxies.dialing(io.gatehouse.config.HostPort.parse("gatehouse.example.com:3080"));
    ResourceCatalog guarded =
        new ResourceCatalog(
            "agent-3", config, proxies, new RefusedDefinitions("agent-3", registry));
    List<String> seen = new ArrayList<>();
    guarded.open(
        new ResourceCatalog.Listener() {
          @Override
          public void served(ServedResource r) {
            seen.add("serve " + r.key() + " " + r.uri());
          }

          @Override
          public void stopped(ServedResource r) {
            seen.add("stop " + r.key());
          }
        });

    guarded.define("app/admin", def("app", "admin", Map.of("env", "dev"), "http://127.0.0.1:3090"));
    guarded.define("app/admin", def("app", "admin", Map.of("env", "dev"), "http://127.0.0.1:3090"));
    guarded.define(
        "app/meta", def("app", "meta", Map.of("env", "dev"), "http://169.254.169.254/latest"));
    guarded.define(
        "app/self", def("app", "self", Map.of("env", "dev"), "https://gatehouse.example.com"));
    guarded.define("db/kafka", def("db", "kafka", Map.of(), "127.0.0.1:9092"));
    assertThat(seen).as("loopback, metadata and the proxy are refused").isEmpty();
    assertThat(refusedCount(registry, "loopback")).as("counted once per definition").isEqualTo(1);
    assertThat(refusedCount(registry, "link-local")).isEqualTo(1);
    assertThat(refusedCount(registry, "proxy")).isEqualTo(1);

    guarded.define(
        "app/admin",
        def("app", "admin", Map.of("env", "dev", "team", "ops"), "http://127.0.0.1:3090"));
    guarded.define("app/web", def("app", "web", Map.of("env", "dev"), "http://10.1.2.3:80"));
    assertThat(seen)
        .as("a second matching watcher that lists the address is enough")
        .containsExactly(
            "serve app/admin http://127.0.0.1:3090", "serve app/web http://10.1.2.3:80");
    assertThat(guarded.lookup("app/admin").orElseThrow().guard()).isPresent();

    seen.clear();
    guarded.define("app/web", def("app", "web", Map.of("env", "dev"), "http://0.0.0.0:80"));
    assertThat(seen)
        .as("repointed where it may not go: no longer served")
        .containsExactly("stop app/web");
    assertThat(refusedCount(registry, "unspecified")).isEqualTo(1);
  }

  @Test
  void staticResourcesAreTheOperatorsChoiceAndAreNotChecked() {
    AgentConfig config =
        AgentConfig.parse(
            """
            agent: { proxy: '127.0.0.1:3080' }
            app_service:
              apps: [ { name: local, uri: 'http://127.0.0.1:3080' } ]
              resources: [ { labels: { env: dev } } ]
            """,
            "static.yaml");
    ResourceCatalog c =
        new ResourceCatalog("agent-4", config, new ProxyDirectory(), refused("agent-4"));
    c.open(
        new ResourceCatalog.Listener() {
          @Override
          public void served(ServedResource r) {}

          @Override
          public void stopped(ServedResource r) {}
        });
    assertThat(c.lookup("app/local").orElseThrow().guard()).isEmpty();
  }

  private static double refusedCount(SimpleMeterRegistry registry, String reason) {
    return registry
        .get("gatehouse.agent.resources.refused")
        .tag("reason", reason)
        .counter()
        .count();
  }
}
