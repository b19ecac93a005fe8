package io.gatehouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AgentConfigTest {

  /** The v2 contract's example file (ARCHITECTURE.md, "Interfaces"). */
  private static final String CONTRACT_EXAMPLE =
      """
      agent:                                  # agent.yaml
        id: agent-a
        proxy: "gatehouse.example.com:3080"   # any proxy or a load balancer; it learns the others
        data_dir: /var/lib/gatehouse/agent    # key and certificate after the first join
      app_service:
        enabled: true
        apps:       [ { name: myapp, uri: "http://localhost:8080", labels: { env: prod } } ]
        resources:  [ { labels: { region: us-east-1 } } ]
      db_service:
        enabled: true
        databases:  [ { name: pg, protocol: postgres, uri: "pg.internal:5432" } ]
        resources:  [ { labels: { "*": "*" } } ]
      desktop_service:    { enabled: false, desktops: [], resources: [] }
      kubernetes_service: { enabled: false, clusters: [], resources: [] }
      """;

  @Test
  void readsTheContractExample() {
    AgentConfig config = AgentConfig.parse(CONTRACT_EXAMPLE, "agent.yaml");

    assertThat(config.source()).isEqualTo("agent.yaml");
    assertThat(config.agent().id()).contains("agent-a");
    assertThat(config.agent().proxy()).isEqualTo(new HostPort("gatehouse.example.com", 3080));
    assertThat(config.agent().dataDir()).contains(Path.of("/var/lib/gatehouse/agent"));

    AgentConfig.Service apps = config.service(ResourceKind.APP);
    assertThat(apps.enabled()).isTrue();
    assertThat(apps.statics())
        .containsExactly(
            new AgentConfig.StaticResource(
                ResourceKind.APP,
                "myapp",
                Map.of("env", "prod"),
                "http://localhost:8080",
                Optional.empty()));
    assertThat(apps.selectors()).containsExactly(LabelSelector.of(Map.of("region", "us-east-1")));

    AgentConfig.Service dbs = config.service(ResourceKind.DB);
    assertThat(dbs.statics())
        .singleElement()
        .satisfies(
            db -> {
              assertThat(db.name()).isEqualTo("pg");
              assertThat(db.protocol()).contains("postgres");
              assertThat(db.uri()).isEqualTo("pg.internal:5432");
            });
    assertThat(dbs.selectors()).containsExactly(LabelSelector.of(Map.of("*", "*")));
    assertThat(config.service(ResourceKind.DESKTOP).enabled()).isFalse();
    assertThat(config.service(ResourceKind.KUBE).enabled()).isFalse();
  }

  @Test
  void appliesDocumentedDefaults() {
    AgentConfig config = AgentConfig.parse("agent: { proxy: 'p:3080' }\n", "min.yaml");
    AgentConfig.Settings s = config.agent();

    assertThat(s.id()).isEmpty();
    assertThat(s.proxy()).isEqualTo(new HostPort("p", 3080));
    assertThat(s.dataDir()).as("./.gatehouse/agent-<id>, chosen at start").isEmpty();
    assertThat(s.relay())
        .isEqualTo(new AgentConfig.Relay(Duration.ofSeconds(5), Duration.ofSeconds(60), 64));
    assertThat(s.metrics())
        .as("no metrics port unless configured")
        .isEqualTo(AgentConfig.Metrics.DISABLED);
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.zone()).as("in no zone unless configured").isEmpty();
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofMinutes(5));
    for (ResourceKind kind : ResourceKind.values()) {
      assertThat(config.service(kind)).isEqualTo(AgentConfig.Service.disabled(kind));
    }
  }

  @Test
  void readsOptionalKeys() {
    AgentConfig config =
        AgentConfig.parse(
            """
            agent:
              proxy: "127.0.0.1:3080"
              data_dir: /var/lib/gatehouse/agent
              relay: { connect_timeout: 2s, response_timeout: 10s, pool_size: 8 }
              metrics: { listen: "127.0.0.1:9464" }
              shutdown_timeout: 3s
              zone: eu-west-1a
              drain_timeout: 1m30s
            app_service:
              apps:
                - { name: tcp-echo, uri: "tcp://localhost:7", labels: { tier: "1" } }
                - { name: api, uri: "https://api.internal:8443/v1/" }
            kubernetes_service:
              clusters: [ { name: prod, uri: "https://k8s.internal:6443" } ]
              resources: [ { labels: { env: "^(prod|staging)$", team: "db-*" } } ]
            desktop_service:
              enabled: true
              desktops: [ { name: win, protocol: rdp, uri: "tcp://win.internal:3389" } ]
            """,
            "full.yaml");
    AgentConfig.Settings s = config.agent();
    assertThat(s.proxy()).isEqualTo(new HostPort("127.0.0.1", 3080));
    assertThat(s.dataDir()).contains(Path.of("/var/lib/gatehouse/agent"));
    assertThat(s.relay())
        .isEqualTo(new AgentConfig.Relay(Duration.ofSeconds(2), Duration.ofSeconds(10), 8));
    assertThat(s.metrics().listen()).contains(new HostPort("127.0.0.1", 9464));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.zone()).contains("eu-west-1a");
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.service(ResourceKind.APP).enabled())
        .as("a present section is enabled by default")
        .isTrue();
    assertThat(config.service(ResourceKind.APP).statics())
        .extracting(AgentConfig.StaticResource::name)
        .containsExactly("tcp-echo", "api");
    assertThat(config.service(ResourceKind.KUBE).selectors()).hasSize(1);
    assertThat(config.service(ResourceKind.DESKTOP).statics().get(0).protocol()).contains("rdp");
  }

  @Test
  void theExampleConfigurationIsValid() {
    AgentConfig config = AgentConfig.load(Path.of("../../infra/examples/agent.yaml"));
    assertThat(config.agent().proxy()).isEqualTo(new HostPort("127.0.0.1", 3080));
    assertThat(config.service(ResourceKind.APP).statics())
        .extracting(AgentConfig.StaticResource::name)
        .containsExactly("demo", "echo");
    assertThat(config.service(ResourceKind.DB).selectors())
        .containsExactly(LabelSelector.of(Map.of("*", "*")));
  }

  @Test
  void loadNamesTheFileInProblems(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "agent: { proxy: 'p:1', colour: blue }\n");
    assertThatThrownBy(() -> AgentConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            file
                + ": agent.colour: unknown key (expected one of: id, proxy, join, data_dir, relay, metrics, shutdown_timeout, zone, drain_timeout)");
  }

  @Test
  void drainTimeoutIsZeroToADay() {
    assertThat(
            AgentConfig.parse("agent: { proxy: 'p:1', drain_timeout: 0s }\n", "a.yaml")
                .agent()
                .drainTimeout())
        .as("0s: open sessions are closed at once")
        .isZero();
    assertThatThrownBy(
            () -> AgentConfig.parse("agent: { proxy: 'p:1', drain_timeout: 2d }\n", "a.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("a.yaml: agent.drain_timeout: at most 24h");
    assertThatThrownBy(
            () -> AgentConfig.parse("agent: { proxy: 'p:1', drain_timeout: soon }\n", "a.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("a.yaml: agent.drain_timeout: ");
  }

  private static final String AGENT = "agent: { proxy: 'localhost:3080' }\n";

  /** case, YAML after a valid agent section, expected key path, expected reason (a prefix). */
  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "unknown top-level key",
            "db_servce: {}\n",
            "db_servce",
            "unknown key (did you mean 'db_service'?)"),
        Arguments.of(
            "unknown key in a service",
            "app_service: { enabled: true, appz: [] }\n",
            "app_service.appz",
            "unknown key (did you mean 'apps'?)"),
        Arguments.of(
            "unknown key in an item",
            "app_service: { apps: [ { name: a, uri: 'http://h', colour: red } ] }\n",
            "app_service.apps[0].colour",
            "unknown key"),
        Arguments.of(
            "missing name",
            "app_service: { apps: [ { name: a, uri: 'http://h' }, { uri: 'http://h' } ] }\n",
            "app_service.apps[1].name",
            "missing required key"),
        Arguments.of(
            "missing uri",
            "db_service: { databases: [ { name: pg } ] }\n",
            "db_service.databases[0].uri",
            "missing required key"),
        Arguments.of(
            "invalid name: uppercase",
            "app_service: { apps: [ { name: MyApp, uri: 'http://h' } ] }\n",
            "app_service.apps[0].name",
            "invalid name 'MyApp'"),
        Arguments.of(
            "invalid name: underscore",
            "kubernetes_service: { clusters: [ { name: my_cluster, uri: 'https://k' } ] }\n",
            "kubernetes_service.clusters[0].name",
            "invalid name 'my_cluster'"),
        Arguments.of(
            "invalid name: too long",
            "desktop_service: { desktops: [ { name: " + "a".repeat(64) + ", uri: 'h:3389' } ] }\n",
            "desktop_service.desktops[0].name",
            "invalid name"),
        Arguments.of(
            "bad URI: scheme for an app",
            "app_service: { apps: [ { name: a, uri: 'ftp://h' } ] }\n",
            "app_service.apps[0].uri",
            "invalid URI 'ftp://h': expected http://, https:// or tcp://host:port"),
        Arguments.of(
            "bad URI: no host",
            "app_service: { apps: [ { name: a, uri: 'http:///x' } ] }\n",
            "app_service.apps[0].uri",
            "invalid URI 'http:///x': missing host"),
        Arguments.of(
            "bad URI: tcp app without port",
            "app_service: { apps: [ { name: a, uri: 'tcp://h' } ] }\n",
            "app_service.apps[0].uri",
            "invalid URI 'tcp://h': missing port"),
        Arguments.of(
            "bad URI: http for a database",
            "db_service: { databases: [ { name: pg, uri: 'http://pg:5432' } ] }\n",
            "db_service.databases[0].uri",
            "invalid URI 'http://pg:5432': this kind is relayed as a TCP stream"),
        Arguments.of(
            "bad URI: database without port",
            "db_service: { databases: [ { name: pg, uri: 'pg.internal' } ] }\n",
            "db_service.databases[0].uri",
            "invalid address 'pg.internal'"),
        Arguments.of(
            "bad URI: kube over tcp",
            "kubernetes_service: { clusters: [ { name: k, uri: 'tcp://k:6443' } ] }\n",
            "kubernetes_service.clusters[0].uri",
            "invalid URI 'tcp://k:6443': expected http:// or https://"),
        Arguments.of(
            "bad URI: syntax",
            "app_service: { apps: [ { name: a, uri: 'http://h h' } ] }\n",
            "app_service.apps[0].uri",
            "invalid URI 'http://h h'"),
        Arguments.of(
            "duplicate name",
            "app_service: { apps: [ { name: a, uri: 'http://h' }, { name: b, uri: 'http://h' }, { name: a, uri: 'http://h2' } ] }\n",
            "app_service.apps[2].name",
            "duplicate name 'a' in app_service (first at app_service.apps[0].name)"),
        Arguments.of(
            "empty selector",
            "app_service: { resources: [ { labels: {} } ] }\n",
            "app_service.resources[0].labels",
            "a selector with no labels matches nothing"),
        Arguments.of(
            "selector without labels",
            "app_service: { resources: [ {} ] }\n",
            "app_service.resources[0].labels",
            "missing required key"),
        Arguments.of(
            "selector with a bad regex",
            "db_service: { resources: [ { labels: { env: '^(a$' } } ] }\n",
            "db_service.resources[0].labels",
            "label 'env': invalid regular expression"),
        Arguments.of(
            "protocol on an app",
            "app_service: { apps: [ { name: a, uri: 'http://h', protocol: http } ] }\n",
            "app_service.apps[0].protocol",
            "unknown key"),
        Arguments.of(
            "enabled not a boolean",
            "app_service: { enabled: yes }\n",
            "app_service.enabled",
            "expected true or false, got 'yes'"),
        Arguments.of(
            "apps not a list",
            "app_service: { apps: { name: a } }\n",
            "app_service.apps",
            "expected a list, got a map"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidFilesNameTheFileTheKeyPathAndTheReason(
      String name, String yaml, String path, String reason) {
    assertThatThrownBy(() -> AgentConfig.parse(AGENT + yaml, "agent.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly(path);
              assertThat(e.problems().get(0).reason()).startsWith(reason);
              assertThat(e.getMessage()).startsWith("agent.yaml: " + path + ": " + reason);
            });
  }

  /** case, complete YAML, expected key path, expected reason (a prefix). */
  static Stream<Arguments> invalidAgentSection() {
    return Stream.of(
        Arguments.of("no agent section", "app_service: {}\n", "agent", "missing required key"),
        Arguments.of("no proxy", "agent: { id: a }\n", "agent.proxy", "missing required key"),
        Arguments.of(
            "bad proxy", "agent: { proxy: '3080' }\n", "agent.proxy", "expected host:port"),
        Arguments.of(
            "wildcard proxy",
            "agent: { proxy: '0.0.0.0:3080' }\n",
            "agent.proxy",
            "'0.0.0.0:3080' cannot be dialed; give a proxy's host:port"),
        Arguments.of(
            "removed key: listen",
            "agent: { proxy: 'p:1', listen: '0.0.0.0:3024' }\n",
            "agent.listen",
            "agents no longer listen for proxies: they dial out to agent.proxy; remove this key"),
        Arguments.of(
            "removed key: advertise",
            "agent: { proxy: 'p:1', advertise: '10.0.0.5:3024' }\n",
            "agent.advertise",
            "agents no longer listen for proxies: they dial out to agent.proxy; remove this key"),
        Arguments.of(
            "bad id", "agent: { proxy: 'p:1', id: 'a/b' }\n", "agent.id", "invalid agent id 'a/b'"),
        Arguments.of(
            "removed key: kafka",
            "agent: { proxy: 'p:1', kafka: { bootstrap: 'k:1' } }\n",
            "agent.kafka",
            "agents no longer talk to Kafka: they tell agent.proxy what they serve over their tunnel, and proxies write and refresh the heartbeats (proxy.heartbeats); remove this key"),
        Arguments.of(
            "removed key: topic_prefix",
            "agent: { proxy: 'p:1', topic_prefix: gatehouse }\n",
            "agent.topic_prefix",
            "agents no longer talk to Kafka: they tell agent.proxy what they serve over their tunnel, and proxies write and refresh the heartbeats (proxy.heartbeats); remove this key"),
        Arguments.of(
            "removed key: heartbeat",
            "agent: { proxy: 'p:1', heartbeat: { interval: 1s } }\n",
            "agent.heartbeat",
            "agents no longer talk to Kafka: they tell agent.proxy what they serve over their tunnel, and proxies write and refresh the heartbeats (proxy.heartbeats); remove this key"),
        Arguments.of(
            "bad metrics listen",
            "agent: { proxy: 'p:1', metrics: { listen: '9464' } }\n",
            "agent.metrics.listen",
            "expected host:port"),
        Arguments.of(
            "unknown metrics key",
            "agent: { proxy: 'p:1', metrics: { port: 9464 } }\n",
            "agent.metrics.port",
            "unknown key"),
        Arguments.of(
            "bad zone",
            "agent: { proxy: 'p:1', zone: 'eu/1' }\n",
            "agent.zone",
            "invalid zone 'eu/1'"),
        Arguments.of(
            "pool size out of range",
            "agent: { proxy: 'p:1', relay: { pool_size: 0 } }\n",
            "agent.relay.pool_size",
            "must be between 1 and 10000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidAgentSection")
  void invalidAgentSectionsNameTheKeyPath(String name, String yaml, String path, String reason) {
    assertThatThrownBy(() -> AgentConfig.parse(yaml, "a.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.getMessage()).startsWith("a.yaml: " + path + ": " + reason));
  }

  @Test
  void reportsEveryProblemAtOnce() {
    String yaml =
        """
        agent: { proxy: 'p:1', prxy: 'p:2' }
        app_service:
          apps:
            - { name: Bad, uri: 'http://h' }
            - { name: ok, uri: 'gopher://h' }
            - { name: ok, uri: 'http://h' }
        """;
    assertThatThrownBy(() -> AgentConfig.parse(yaml, "agent.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ConfigProblem::path)
                    .containsExactlyInAnyOrder(
                        "agent.prxy",
                        "app_service.apps[0].name",
                        "app_service.apps[1].uri",
                        "app_service.apps[2].name"));
  }

  @Test
  void syntaxErrorsNameTheFile() {
    assertThatThrownBy(() -> AgentConfig.parse("agent: [\n", "broken.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("broken.yaml: invalid YAML at line");
  }

  private static final String PIN = "sha256:" + "ab".repeat(32);

  @Test
  void joinTakesATokenOrTokenFileAndAPinOrPinFileAndNeverShowsTheToken(@TempDir Path dir)
      throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), "gh-join-secret\n");
    Path pinFile = Files.writeString(dir.resolve("ca.pin"), PIN + "\n");
    AgentConfig.Join inline =
        AgentConfig.parse(
                "agent: { proxy: 'p:1', join: { token: gh-join-secret, ca_pin: '" + PIN + "' } }\n",
                "a.yaml")
            .agent()
            .join()
            .orElseThrow();
    AgentConfig.Join files =
        AgentConfig.parse(
                "agent: { proxy: 'p:1', join: { token_file: '"
                    + tokenFile
                    + "', ca_pin_file: '"
                    + pinFile
                    + "' } }\n",
                "b.yaml")
            .agent()
            .join()
            .orElseThrow();

    assertThat(inline.token()).isEqualTo("gh-join-secret");
    assertThat(inline.caPin()).isEqualTo(PIN);
    assertThat(files.token()).isEqualTo("gh-join-secret");
    assertThat(files.caPin()).isEqualTo(PIN);
    assertThat(inline.toString()).doesNotContain("gh-join-secret");
    assertThat(files.toString()).doesNotContain("gh-join-secret");
  }

  @Test
  void joinProblemsNameTheKey() {
    assertThatThrownBy(
            () ->
                AgentConfig.parse(
                    "agent: { proxy: 'p:1', join: { token: t, token_file: f, ca_pin: '"
                        + PIN
                        + "' } }\n",
                    "j.yaml"))
        .hasMessageContaining(
            "j.yaml: agent.join.token_file: give exactly one of token_file and token");
    assertThatThrownBy(
            () -> AgentConfig.parse("agent: { proxy: 'p:1', join: { token: t } }\n", "j.yaml"))
        .hasMessageContaining("agent.join.ca_pin: give exactly one of ca_pin and ca_pin_file");
    assertThatThrownBy(
            () ->
                AgentConfig.parse(
                    "agent: { proxy: 'p:1', join: { token: t, ca_pin: md5:00 } }\n", "j.yaml"))
        .hasMessageContaining("agent.join.ca_pin:");
  }

  @Test
  void healthChecksDefaultPerServiceAndResourceKeyByKey() {
    AgentConfig config =
        AgentConfig.parse(
            """
            agent: { proxy: 'p:3080' }
            app_service:
              health_check: { interval: 10s, timeout: 3s, healthy_threshold: 3 }
              apps:
                - { name: plain, uri: "http://127.0.0.1:8080" }
                - name: picky
                  uri: "http://127.0.0.1:8081"
                  health_check: { path: /healthz, expected_status: 204, unhealthy_threshold: 2 }
              resources:
                - labels: { env: dev }
                  health_check: { enabled: false }
            db_service:
              databases: [ { name: pg, uri: "127.0.0.1:5432" } ]
            """,
            "checks.yaml");
    AgentConfig.Service apps = config.service(ResourceKind.APP);
    HealthCheck service =
        new HealthCheck(
            true,
            Duration.ofSeconds(10),
            Duration.ofSeconds(3),
            3,
            1,
            Optional.empty(),
            java.util.OptionalInt.empty());
    assertThat(apps.statics().get(0).healthCheck()).isEqualTo(service);
    assertThat(apps.statics().get(1).healthCheck())
        .isEqualTo(
            new HealthCheck(
                true,
                Duration.ofSeconds(10),
                Duration.ofSeconds(3),
                3,
                2,
                Optional.of("/healthz"),
                java.util.OptionalInt.of(204)));
    assertThat(apps.watchers().get(0).healthCheck().enabled()).isFalse();
    assertThat(apps.watchers().get(0).healthCheck().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.service(ResourceKind.DB).statics().get(0).healthCheck())
        .isEqualTo(HealthCheck.DEFAULT);
    assertThat(HealthCheck.DEFAULT.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(HealthCheck.DEFAULT.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(HealthCheck.DEFAULT.healthyThreshold()).isEqualTo(2);
    assertThat(HealthCheck.DEFAULT.unhealthyThreshold()).isEqualTo(1);
  }

  @Test
  void badHealthChecksNameFileKeyAndReason() {
    String yaml =
        """
        agent: { proxy: 'p:3080' }
        db_service:
          health_check: { interval: 1s, timeout: 2s }
          databases:
            - name: pg
              uri: "127.0.0.1:5432"
              health_check: { healthy_threshold: 0, interval: soon }
        app_service:
          apps:
            - name: web
              uri: "http://127.0.0.1:80"
              health_check: { path: healthz, expected_status: 999, intervall: 1s }
        """;
    assertThatThrownBy(() -> AgentConfig.parse(yaml, "bad.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.getMessage())
                    .contains(
                        "bad.yaml: db_service.health_check.timeout: must not exceed the interval"
                            + " (2000 ms > 1000 ms)",
                        "bad.yaml: db_service.databases[0].health_check.healthy_threshold: must be"
                            + " between 1 and 100, got 0",
                        "bad.yaml: db_service.databases[0].health_check.interval:",
                        "bad.yaml: app_service.apps[0].health_check.path: 'healthz' must start"
                            + " with /",
                        "bad.yaml: app_service.apps[0].health_check.expected_status: must be"
                            + " between 100 and 599, got 999",
                        "app_service.apps[0].health_check.intervall"));
  }
}
