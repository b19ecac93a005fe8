package io.gatehouse.proxy;

import static io.gatehouse.proxy.Cluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.HostPort;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The REST API of a proxy against a real broker and real agents: listing (one entry per {@code
 * kind/name}), creating and deleting dynamic resources, validation, the failure statuses,
 * server-sent events, health, readiness and metrics.
 */
class ApiIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HostPort proxy;
  private static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    proxy = cluster.proxy("proxy-api", Duration.ofSeconds(2)).webAddress();
    // pg-a and pg-b are replicas of one database, named apart; pg-shared is one name from two
    // agents.
    cluster.agent(
        "db-1",
        """
        db_service:
          databases:
            - { name: pg-a, protocol: postgres, uri: "127.0.0.1:5432", labels: { replica: a } }
            - { name: pg-b, protocol: postgres, uri: "127.0.0.1:5432", labels: { replica: b } }
            - { name: pg-shared, protocol: postgres, uri: "127.0.0.1:5432", labels: { team: data } }
        """);
    cluster.agent(
        "db-2",
        """
        db_service:
          databases:
            - { name: pg-shared, protocol: postgres, uri: "127.0.0.1:5432", labels: { team: data } }
        app_service:
          apps:
            - { name: refused, uri: "http://127.0.0.1:%d" }
          resources:
            # The test's upstreams are on loopback, refused unless listed.
            - labels: { env: watched }
              destinations: [ "127.0.0.1" ]
        """
            .formatted(closedPort));
    cluster.awaitReady(proxy);
    cluster.awaitHealthy(proxy, "db", "pg-shared", 2);
  }

  private static JsonObject resource(String kind, String name) {
    Web.Response r = web.get(proxy, "/v1/resources/" + kind + "/" + name);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  @Test
  void replicasWithDifferentNamesListAsTwoResources() {
    JsonArray dbs = web.get(proxy, "/v1/resources?kind=db").array();
    assertThat(dbs.stream().map(o -> ((JsonObject) o).getString("name")))
        .containsExactly("pg-a", "pg-b", "pg-shared");
    JsonObject a = dbs.getJsonObject(0);
    assertThat(a.getString("kind")).isEqualTo("db");
    assertThat(a.getJsonObject("labels").getMap()).isEqualTo(Map.of("replica", "a"));
    assertThat(a.getInteger("totalAgents")).isEqualTo(1);
    assertThat(a.getInteger("healthyAgents")).isEqualTo(1);
    assertThat(dbs.getJsonObject(1).getJsonObject("labels").getMap())
        .isEqualTo(Map.of("replica", "b"));
    // Plural and singular both select the kind.
    assertThat(web.get(proxy, "/v1/resources?kind=dbs").array()).hasSize(3);
  }

  @Test
  void sameNameFromTwoAgentsListsOnceWithBothAgents() {
    List<JsonObject> shared =
        web.get(proxy, "/v1/resources").array().stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").equals("pg-shared"))
            .toList();
    assertThat(shared).hasSize(1);
    JsonObject r = shared.get(0);
    assertThat(r.fieldNames())
        .containsExactlyInAnyOrder(
            "kind",
            "name",
            "labels",
            "healthyAgents",
            "totalAgents",
            "targets",
            "revision",
            "transport",
            "host",
            "agents");
    assertThat(r.getInteger("totalAgents")).isEqualTo(2);
    assertThat(r.getInteger("healthyAgents")).isEqualTo(2);
    JsonArray agents = r.getJsonArray("agents");
    assertThat(agents.stream().map(o -> ((JsonObject) o).getString("agent")))
        .containsExactly("db-1", "db-2");
    JsonObject first = agents.getJsonObject(0);
    assertThat(first.fieldNames())
        .containsExactlyInAnyOrder("agent", "address", "healthy", "target", "origin", "lastBeat");
    assertThat(first.getString("address")).isNotBlank();
    assertThat(first.getString("origin")).isEqualTo("static");
    assertThat(first.getBoolean("healthy")).isTrue();
  }

  @Test
  void createdResourceIsServedByAWatchingAgentAndDeletedAgain() {
    String yaml =
        """
        kind: app
        version: v1
        metadata: { name: created, labels: { env: watched } }
        spec: { uri: "http://127.0.0.1:%d" }
        """
            .formatted(closedPort);
    Web.Response created = web.post(proxy, "/v1/resources", "application/yaml", yaml);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/v1/resources/app/created");
    assertThat(created.json().getString("kind")).isEqualTo("app");
    assertThat(created.json().getString("name")).isEqualTo("created");

    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              JsonObject r = resource("app", "created");
              assertThat(r.getJsonObject("labels").getMap()).isEqualTo(Map.of("env", "watched"));
              assertThat(r.getInteger("totalAgents")).isEqualTo(1);
              assertThat(r.getJsonArray("agents").getJsonObject(0).getString("origin"))
                  .isEqualTo("dynamic");
            });

    // The JSON equivalent replaces it, naming the revision it replaces; without one it would be
    // refused, never a silent overwrite.
    String v2 =
        "{\"kind\":\"app\",\"version\":\"v1\",\"metadata\":{\"name\":\"created\",\"labels\":{\"env\":\"watched\",\"v\":\"2\"}},\"spec\":{\"uri\":\"http://127.0.0.1:%d\"}}"
            .formatted(closedPort);
    assertThat(web.post(proxy, "/v1/resources", "application/json", v2).status()).isEqualTo(409);
    Eventually.within(WAIT)
        .until(() -> web.get(proxy, "/v1/resources/app/created").header("ETag") != null);
    String etag = web.get(proxy, "/v1/resources/app/created").header("ETag");
    assertThat(etag).isEqualTo("\"1\"");
    Web.Response replaced =
        web.send(
            web.bearer(),
            HttpMethod.POST,
            proxy,
            proxy.toString(),
            "/v1/resources",
            null,
            "application/json",
            v2,
            Map.of("If-Match", etag));
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
    assertThat(replaced.header("ETag")).isEqualTo("\"2\"");
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(resource("app", "created").getJsonObject("labels").getString("v"))
                    .isEqualTo("2"));

    Web.Response deleted = web.api(HttpMethod.DELETE, proxy, "/v1/resources/app/created");
    assertThat(deleted.status()).isEqualTo(204);
    Eventually.within(WAIT)
        .untilAsserted(
            () -> assertThat(web.get(proxy, "/v1/resources/app/created").status()).isEqualTo(404));
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        cluster.audit().stream()
                            .filter(e -> "app".equals(e.getKind()) && "created".equals(e.getName()))
                            .map(AuditEvent::getType))
                    .containsExactly("resource.create", "resource.update", "resource.delete"));
  }

  @Test
  void invalidDocumentIsRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
    long before = endOffsets(Topic.RESOURCES);
    Web.Response badUri =
        web.post(
            proxy,
            "/v1/resources",
            "application/yaml",
            "kind: db\nversion: v1\nmetadata: {name: bad}\nspec: {uri: \"http://pg:5432\"}\n");
    assertThat(badUri.status()).isEqualTo(400);
    assertThat(badUri.header("Gatehouse-Error")).isEqualTo("invalid-document");
    assertThat(badUri.json().getString("field")).isEqualTo("spec.uri");
    assertThat(badUri.json().getString("error")).contains("spec.uri", "TCP stream");

    Web.Response badName =
        web.post(
            proxy,
            "/v1/resources",
            "application/json",
            "{\"kind\":\"app\",\"version\":\"v1\",\"metadata\":{\"name\":\"Not_A_Label\"},\"spec\":{\"uri\":\"http://a\"}}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.json().getString("field")).isEqualTo("metadata.name");

    Web.Response notYaml = web.post(proxy, "/v1/resources", "application/yaml", "kind: [unclosed");
    assertThat(notYaml.status()).isEqualTo(400);

    Web.Response deleteStatic = web.api(HttpMethod.DELETE, proxy, "/v1/resources/db/pg-a");
    assertThat(deleteStatic.status()).isEqualTo(409);
    assertThat(web.api(HttpMethod.DELETE, proxy, "/v1/resources/db/nothing").status())
        .isEqualTo(404);
    assertThat(web.get(proxy, "/v1/resources/vm/x").status()).isEqualTo(400);

    assertThat(endOffsets(Topic.RESOURCES)).isEqualTo(before);
  }

  private static long endOffsets(Topic topic) throws Exception {
    String name = new TopicNames(cluster.prefix).of(topic);
    Map<TopicPartition, OffsetSpec> request =
        cluster
            .kafka()
            .admin()
            .describeTopics(List.of(name))
            .allTopicNames()
            .get()
            .get(name)
            .partitions()
            .stream()
            .collect(
                Collectors.toMap(
                    p -> new TopicPartition(name, p.partition()), p -> OffsetSpec.latest()));
    return cluster.kafka().admin().listOffsets(request).all().get().values().stream()
        .mapToLong(o -> o.offset())
        .sum();
  }

  @Test
  void failuresMapToStatusesNamingTheResource() {
    Web.Response unknown = web.app(proxy, "nope", "/", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Gatehouse-Error")).isEqualTo("unknown-resource");
    assertThat(unknown.body()).contains("app/nope");

    web.post(
        proxy,
        "/v1/resources",
        "application/yaml",
        "kind: app\nversion: v1\nmetadata: {name: lonely}\nspec: {uri: \"http://127.0.0.1:9\"}\n");
    Eventually.within(WAIT).until(() -> web.get(proxy, "/v1/resources/app/lonely").status() == 200);
    Web.Response none = web.app(proxy, "lonely", "/", null);
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.header("Gatehouse-Error")).isEqualTo("no-alive-agent");
    assertThat(none.body()).contains("app/lonely");

    // The agent answers 502 upstream-refused: another agent might do better, so the proxy moves on,
    // and with no other agent left the user learns that the target is down, and which agents were
    // tried and why.
    Web.Response refused = web.app(proxy, "refused", "/", null);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("Gatehouse-Error")).isEqualTo("target-down");
    assertThat(refused.body())
        .contains("the target of app/refused is down", "db-2 (502 upstream-refused)");
    assertThat(refused.sessionCookie()).isNull();
    Eventually.within(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.audit("session.fail", "app/refused"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getOutcome()).isEqualTo("target-down");
                          assertThat(e.getDetails()).containsEntry("tried", "db-2");
                        }));
  }

  @Test
  void aForgedHeartbeatWrittenStraightToKafkaIsNotRoutable() throws Exception {
    // Threat 3: whoever can write to Kafka publishes a healthy-looking agent, even one that says
    // it is connected here. Without a tunnel to this proxy, made with a certificate from the
    // cluster CA, it receives nothing.
    cluster.fakeAgent("forged-agent", "127.0.0.1:9", "app", "forged", "proxy-api");
    Eventually.within(WAIT)
        .untilAsserted(
            () -> {
              Web.Response r = web.get(proxy, "/v1/resources/app/forged");
              assertThat(r.status()).isEqualTo(200);
              assertThat(r.json().getInteger("totalAgents")).isEqualTo(1);
              assertThat(r.json().getInteger("healthyAgents")).isZero();
            });
    Web.Response r = web.app(proxy, "forged", "/", null);
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.header("Gatehouse-Error")).isEqualTo("no-alive-agent");
    assertThat(r.body()).contains("app/forged");
  }

  @Test
  void eventsStreamStateChangesAsTheyAreApplied() throws Exception {
    HttpClient client = web.httpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(web.base(proxy) + "/v1/events?topics=resources"))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + web.bearer())
            .build();
    HttpResponse<java.io.InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).startsWith(": gatehouse proxy proxy-api");
      CompletableFuture<String> data =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String line;
                  String event = null;
                  while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                      event = line.substring(7);
                    } else if (line.startsWith("data: ")
                        && "resources".equals(event)
                        && line.contains("app/evented")) {
                      return line.substring(6);
                    }
                  }
                  return null;
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      web.post(
          proxy,
          "/v1/resources",
          "application/yaml",
          "kind: app\nversion: v1\nmetadata: {name: evented}\nspec: {uri: \"http://127.0.0.1:9\"}\n");
      JsonObject change = new JsonObject(data.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      assertThat(change.getString("topic")).isEqualTo("resources");
      assertThat(change.getString("key")).isEqualTo("app/evented");
      assertThat(change.getBoolean("deleted")).isFalse();
      assertThat(change.getJsonObject("value").getJsonObject("spec").getString("uri"))
          .isEqualTo("http://127.0.0.1:9");
    }
  }

  @Test
  void healthReadinessMetricsAgentsAndSessions() {
    assertThat(web.get(proxy, "/healthz").json().getString("status")).isEqualTo("ok");
    JsonObject ready = web.get(proxy, "/readyz").json();
    assertThat(ready.getBoolean("ready")).isTrue();
    assertThat(ready.getBoolean("kafkaReachable")).isTrue();

    web.app(proxy, "refused", "/", null);
    Web.Response metrics = web.get(proxy, "/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "gatehouse_dial_attempts_total",
            "gatehouse_dial_failures_total{reason=\"refused\"}",
            "gatehouse_selection_seconds_bucket",
            "gatehouse_materializer_records_total");

    JsonArray agents = web.get(proxy, "/v1/agents").array();
    assertThat(agents.stream().map(o -> ((JsonObject) o).getString("agent")))
        .contains("db-1", "db-2");
    assertThat(agents.getJsonObject(0).getBoolean("healthy")).isTrue();
    assertThat(agents.getJsonObject(0).getString("status")).isEqualTo("healthy");

    assertThat(web.get(proxy, "/v1/sessions").status()).isEqualTo(200);
    assertThat(web.get(proxy, "/v1/nothing").status()).isEqualTo(404);
  }
}
