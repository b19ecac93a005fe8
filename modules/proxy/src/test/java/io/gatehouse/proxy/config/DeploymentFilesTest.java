package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaAcls;
import io.gatehouse.kafka.TopicReplication;
import io.gatehouse.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The production deployment files of {@code infra/} (systemd units and their configs, the
 * Kubernetes manifests with the Strimzi cluster) parse, and agree with what the proxy and agent
 * accept: every config the units or pods pass is a valid {@code proxy.yaml} / {@code agent.yaml},
 * its paths are the ones the unit or pod provides, the probes hit the proxy's health endpoints on
 * its port, and the Kafka cluster's replication and ACLs are the ones the proxy relies on.
 */
class DeploymentFilesTest {
  private static final String NAMESPACE = "gatehouse";

  @TempDir Path dir;

  // ---- systemd -------------------------------------------------------------------------------

  @Test
  void theProxyUnitIsHardenedAndRunsAValidConfigWhoseFilesItProvides() throws IOException {
    Map<String, Map<String, List<String>>> unit = unit("infra/systemd/gatehouse-proxy.service");
    Map<String, List<String>> service = unit.get("Service");
    assertHardened(service);
    assertThat(one(service, "ExecStart"))
        .contains("-jar /opt/gatehouse/gatehouse.jar proxy -c /etc/gatehouse/proxy.yaml");
    assertThat(one(service, "KillSignal")).isEqualTo("SIGTERM");

    String yaml = Files.readString(repoFile("infra/systemd/proxy.yaml"));
    String credential = credentialPath("gatehouse-proxy.service", one(service, "LoadCredential"));
    ProxyConfig config =
        proxyConfig(
            yaml.replace(credential, secretFile("kafka-password").toString())
                .replace("/etc/gatehouse/kafka-ca.pem", kafkaCa().toString())
                .replace("/etc/gatehouse/ca", caDir().toString()),
            "infra/systemd/proxy.yaml");

    assertThat(yaml).contains("password_file: " + credential);
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib", one(service, "StateDirectory")));
    assertThat(yaml).contains("ca: { dir: " + one(service, "ReadOnlyPaths") + "/ca }");
    assertThat(config.listen().port()).isEqualTo(443);
    assertThat(one(service, "AmbientCapabilities")).isEqualTo("CAP_NET_BIND_SERVICE");
    assertThat(config.topicReplication())
        .isEqualTo(new TopicReplication((short) 3, OptionalInt.of(2)));
  }

  @Test
  void theAgentUnitIsHardenedAndRunsAValidConfigWhoseFilesItProvides() throws IOException {
    Map<String, List<String>> service =
        unit("infra/systemd/gatehouse-agent.service").get("Service");
    assertHardened(service);
    assertThat(one(service, "ExecStart"))
        .contains("-jar /opt/gatehouse/gatehouse.jar agent -c /etc/gatehouse/agent.yaml");
    assertThat(one(service, "CapabilityBoundingSet")).isEmpty();

    String yaml = Files.readString(repoFile("infra/systemd/agent.yaml"));
    String credential = credentialPath("gatehouse-agent.service", one(service, "LoadCredential"));
    assertThat(yaml).contains("token_file: " + credential);
    AgentConfig config =
        AgentConfig.parse(
            yaml.replace(credential, secretFile("join-token").toString()),
            "infra/systemd/agent.yaml");
    assertThat(config.agent().dataDir())
        .contains(Path.of("/var/lib", one(service, "StateDirectory")));
    assertThat(config.agent().join()).isPresent();
    assertThat(Duration.ofSeconds(Long.parseLong(one(service, "TimeoutStopSec"))))
        .as("systemd waits out the drain and the goodbye before SIGKILL")
        .isGreaterThan(config.agent().drainTimeout().plus(config.agent().shutdownTimeout()));
  }

  // ---- Kubernetes ----------------------------------------------------------------------------

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    Map<String, Object> kustomization = yamlFile("infra/k8s/kustomization.yaml");
    assertThat(kustomization.get("namespace")).isEqualTo(NAMESPACE);
    try (Stream<Path> files = Files.list(repoFile("infra/k8s"))) {
      assertThat(list(kustomization, "resources"))
          .containsExactlyInAnyOrderElementsOf(
              files
                  .map(p -> p.getFileName().toString())
                  .filter(n -> !n.equals("kustomization.yaml"))
                  .toList());
    }
  }

  @Test
  void proxiesAreTwoBehindAServiceWithProbesOnTheirHealthEndpointsAndAValidConfig()
      throws IOException {
    Manifests k8s = Manifests.read();
    Map<String, Object> deployment = k8s.get("Deployment", "gatehouse-proxy");
    assertThat(map(deployment, "spec").get("replicas")).isEqualTo(2);
    Map<String, Object> container = onlyContainer(deployment);
    Map<String, Object> port = onlyPort(container);
    assertThat(port.get("name")).isEqualTo("https");
    for (String[] probe :
        new String[][] {{"readinessProbe", "/readyz"}, {"livenessProbe", "/healthz"}}) {
      Map<String, Object> get = map(map(container, probe[0]), "httpGet");
      assertThat(get).as(probe[0]).containsEntry("path", probe[1]).containsEntry("scheme", "HTTPS");
      assertThat(get.get("port")).as(probe[0]).isIn(port.get("name"), port.get("containerPort"));
    }
    Map<String, Object> service = k8s.get("Service", "gatehouse-proxy");
    assertThat(map(map(service, "spec"), "selector"))
        .isEqualTo(map(map(map(map(deployment, "spec"), "template"), "metadata"), "labels"));
    Map<String, Object> servicePort = onlyEntry(list(map(service, "spec"), "ports"));
    assertThat(servicePort.get("targetPort")).isIn(port.get("name"), port.get("containerPort"));
    assertThat(servicePort.get("port")).isEqualTo(443);

    ProxyConfig config = k8sProxyConfig(k8s, Map.of("KAFKA_PASSWORD", "from-the-secret"));
    assertThat(config.listen())
        .isEqualTo(new HostPort("10.1.2.3", (Integer) port.get("containerPort")));
    assertMounted(deployment, container, Path.of("/etc/gatehouse/ca"), "secret", "gatehouse-ca");
    assertMounted(deployment, container, config.dataDir().getParent(), "emptyDir", null);
    assertThat(envSecret(container, "KAFKA_PASSWORD")).isEqualTo("gatehouse-proxy/password");
    assertThat(container.get("args").toString()).contains("proxy -c /tmp/proxy.yaml");
  }

  @Test
  void agentsAreTwoThatDialTheProxyServiceAndJoinWithTheTokenTheJobKeepsFresh() throws IOException {
    Manifests k8s = Manifests.read();
    Map<String, Object> deployment = k8s.get("Deployment", "gatehouse-agent");
    assertThat(map(deployment, "spec").get("replicas")).isEqualTo(2);
    Map<String, Object> container = onlyContainer(deployment);
    assertThat(list(container, "args"))
        .containsExactly("agent", "-c", "/etc/gatehouse/config/agent.yaml");

    String yaml = (String) map(k8s.get("ConfigMap", "gatehouse-agent"), "data").get("agent.yaml");
    Path join = Files.createDirectories(dir.resolve("join"));
    Files.writeString(join.resolve("token"), "a-token\n");
    Files.writeString(join.resolve("ca.pin"), "sha256:" + "ab".repeat(32) + "\n");
    AgentConfig config =
        AgentConfig.parse(yaml.replace("/etc/gatehouse/join", join.toString()), "agent ConfigMap");
    Map<String, Object> servicePort =
        onlyEntry(list(map(k8s.get("Service", "gatehouse-proxy"), "spec"), "ports"));
    assertThat(config.agent().proxy())
        .isEqualTo(
            new HostPort(
                "gatehouse-proxy." + NAMESPACE + ".svc", (Integer) servicePort.get("port")));
    assertThat(config.agent().id()).as("an agent pod is named after its pod").isEmpty();
    Object grace =
        map(map(map(deployment, "spec"), "template"), "spec").get("terminationGracePeriodSeconds");
    assertThat(Duration.ofSeconds(((Number) grace).longValue()))
        .as("Kubernetes waits out the drain and the goodbye before SIGKILL")
        .isGreaterThan(config.agent().drainTimeout().plus(config.agent().shutdownTimeout()));
    assertMounted(
        deployment, container, Path.of("/etc/gatehouse/join"), "secret", "gatehouse-agent-join");
    assertMounted(
        deployment,
        container,
        config.agent().dataDir().orElseThrow().getParent(),
        "emptyDir",
        null);

    Map<String, Object> job = k8s.get("CronJob", "gatehouse-agent-join");
    String jobText = new Yaml().dump(job);
    assertThat(jobText)
        .contains("tokens add --kinds app --ttl 24h")
        .contains("create secret generic gatehouse-agent-join --from-file=token=")
        .contains("--from-file=ca.pin=");
  }

  @Test
  void theStrimziClusterHasThreeCombinedNodesRf3MinIsr2AndTheProxiesListenerAndPrincipals()
      throws IOException {
    Manifests k8s = Manifests.read();
    Map<String, Object> kafka = k8s.get("Kafka", "gatehouse-kafka");
    assertThat(map(map(kafka, "metadata"), "annotations"))
        .containsEntry("strimzi.io/kraft", "enabled")
        .containsEntry("strimzi.io/node-pools", "enabled");
    Map<String, Object> pool = k8s.get("KafkaNodePool", "combined");
    assertThat(map(map(pool, "metadata"), "labels"))
        .containsEntry("strimzi.io/cluster", "gatehouse-kafka");
    assertThat(map(pool, "spec").get("replicas")).isEqualTo(3);
    assertThat(list(map(pool, "spec"), "roles")).containsExactlyInAnyOrder("controller", "broker");

    Map<String, Object> spec = map(map(kafka, "spec"), "kafka");
    Map<String, Object> brokerConfig = map(spec, "config");
    assertThat(brokerConfig)
        .containsEntry("default.replication.factor", 3)
        .containsEntry("min.insync.replicas", 2)
        .containsEntry("auto.create.topics.enable", false);
    assertThat(map(spec, "authorization")).containsEntry("type", "simple");

    ProxyConfig proxy = k8sProxyConfig(k8s, Map.of("KAFKA_PASSWORD", "x"));
    assertThat(proxy.topicReplication())
        .isEqualTo(
            new TopicReplication(
                (short) (int) (Integer) brokerConfig.get("default.replication.factor"),
                OptionalInt.of((Integer) brokerConfig.get("min.insync.replicas"))));
    HostPort bootstrap = HostPort.parse(proxy.kafkaBootstrap());
    assertThat(bootstrap.host()).isEqualTo("gatehouse-kafka-kafka-bootstrap." + NAMESPACE + ".svc");
    Map<String, Object> listener =
        list(spec, "listeners").stream()
            .map(DeploymentFilesTest::asMap)
            .filter(l -> bootstrap.port() == (Integer) l.get("port"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no listener on the proxies' bootstrap port"));
    assertThat(listener).containsEntry("tls", true);
    assertThat(map(listener, "authentication")).containsEntry("type", "scram-sha-512");
    assertThat(proxy.kafkaSecurity().toString()).contains("SASL_SSL").contains("SCRAM-SHA-512");

    for (KafkaAcls.Role role : KafkaAcls.Role.values()) {
      String user = "gatehouse-" + role.label();
      Map<String, Object> kafkaUser = k8s.get("KafkaUser", user);
      assertThat(map(map(kafkaUser, "metadata"), "labels"))
          .containsEntry("strimzi.io/cluster", "gatehouse-kafka");
      assertThat(strimziAcls(kafkaUser))
          .as("ACLs of %s", user)
          .isEqualTo(bindings(new KafkaAcls("User:" + user, role, TopicNames.DEFAULT)));
    }
    assertThat(proxy.kafkaSecurity().toString()).contains("username=gatehouse-proxy");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void assertHardened(Map<String, List<String>> service) {
    assertThat(one(service, "User")).isEqualTo("gatehouse");
    assertThat(service)
        .containsEntry("NoNewPrivileges", List.of("yes"))
        .containsEntry("ProtectSystem", List.of("strict"))
        .containsEntry("ProtectHome", List.of("yes"))
        .containsEntry("PrivateTmp", List.of("yes"))
        .containsEntry("PrivateDevices", List.of("yes"))
        .containsEntry("RestrictSUIDSGID", List.of("yes"))
        .containsEntry("UMask", List.of("0077"))
        .containsKeys(
            "StateDirectory", "LoadCredential", "SystemCallFilter", "RestrictAddressFamilies");
    // The JIT writes and executes code: this protection cannot be on for a JVM.
    assertThat(service).doesNotContainKey("MemoryDenyWriteExecute");
  }

  /** {@code NAME:FILE} of LoadCredential, as the service sees it. */
  private static String credentialPath(String unit, String loadCredential) {
    return "/run/credentials/"
        + unit
        + "/"
        + loadCredential.substring(0, loadCredential.indexOf(':'));
  }

  private ProxyConfig k8sProxyConfig(Manifests k8s, Map<String, String> env) throws IOException {
    String yaml = (String) map(k8s.get("ConfigMap", "gatehouse-proxy"), "data").get("proxy.yaml");
    assertThat(yaml).contains("ca: { dir: /etc/gatehouse/ca }");
    return proxyConfig(
        yaml.replace("__POD_IP__", "10.1.2.3")
            .replace("/etc/gatehouse/kafka-ca/ca.crt", kafkaCa().toString())
            .replace("/etc/gatehouse/ca", caDir().toString()),
        "proxy ConfigMap",
        env);
  }

  private static ProxyConfig proxyConfig(String yaml, String source) {
    return proxyConfig(yaml, source, Map.of());
  }

  private static ProxyConfig proxyConfig(String yaml, String source, Map<String, String> env) {
    return ProxyConfigReader.read(ConfigDocument.parse(yaml, source), new SecureRandom(), env::get);
  }

  private Path kafkaCa() {
    return TestCertificates.write(dir.resolve("kafka-tls")).caFile();
  }

  /** The CA directory the config names, replaced by an empty one here (read at start only). */
  private Path caDir() throws IOException {
    return Files.createDirectories(dir.resolve("ca"));
  }

  private Path secretFile(String name) throws IOException {
    return Files.writeString(dir.resolve(name), "s3cret-" + name + "\n");
  }

  private static void assertMounted(
      Map<String, Object> deployment,
      Map<String, Object> container,
      Path path,
      String volumeType,
      String secretName) {
    Map<String, Object> mount =
        list(container, "volumeMounts").stream()
            .map(DeploymentFilesTest::asMap)
            .filter(m -> Path.of((String) m.get("mountPath")).equals(path))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    Map<String, Object> volume =
        list(map(map(map(deployment, "spec"), "template"), "spec"), "volumes").stream()
            .map(DeploymentFilesTest::asMap)
            .filter(v -> v.get("name").equals(mount.get("name")))
            .findFirst()
            .orElseThrow();
    assertThat(volume).as("volume at %s", path).containsKey(volumeType);
    if (secretName != null) {
      assertThat(map(volume, volumeType)).containsEntry("secretName", secretName);
    }
  }

  private static String envSecret(Map<String, Object> container, String name) {
    Map<String, Object> env =
        list(container, "env").stream()
            .map(DeploymentFilesTest::asMap)
            .filter(e -> name.equals(e.get("name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no env " + name));
    Map<String, Object> ref = map(map(env, "valueFrom"), "secretKeyRef");
    return ref.get("name") + "/" + ref.get("key");
  }

  /** The Strimzi ACLs as {@code TYPE name PATTERN OPERATION} lines. */
  private static Set<String> strimziAcls(Map<String, Object> kafkaUser) {
    Set<String> lines = new TreeSet<>();
    for (Object a : list(map(map(kafkaUser, "spec"), "authorization"), "acls")) {
      Map<String, Object> acl = asMap(a);
      assertThat(acl.get("host")).isEqualTo("*");
      Map<String, Object> resource = map(acl, "resource");
      String type = ((String) resource.get("type")).toUpperCase(Locale.ROOT);
      String name = type.equals("CLUSTER") ? "kafka-cluster" : (String) resource.get("name");
      String pattern =
          switch ((String) resource.getOrDefault("patternType", "literal")) {
            case "prefix" -> "PREFIXED";
            case "literal" -> "LITERAL";
            default -> throw new AssertionError("pattern " + resource);
          };
      for (Object op : list(acl, "operations")) {
        lines.add(type + " " + name + " " + pattern + " " + snake((String) op));
      }
    }
    return lines;
  }

  private static Set<String> bindings(KafkaAcls acls) {
    return acls.bindings().stream()
        .map(DeploymentFilesTest::line)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String line(AclBinding b) {
    return b.pattern().resourceType()
        + " "
        + b.pattern().name()
        + " "
        + b.pattern().patternType()
        + " "
        + b.entry().operation();
  }

  /** {@code DescribeConfigs} → {@code DESCRIBE_CONFIGS}. */
  private static String snake(String camel) {
    return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** A systemd unit: section → key → values in order (a key may repeat). */
  private static Map<String, Map<String, List<String>>> unit(String relative) throws IOException {
    Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    List<String> lines = Files.readAllLines(repoFile(relative));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current =
            sections.computeIfAbsent(
                line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      assertThat(current).as("%s:%d outside a section", relative, i + 1).isNotNull();
      assertThat(eq).as("%s:%d is not KEY=VALUE: %s", relative, i + 1, line).isPositive();
      current
          .computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
          .add(line.substring(eq + 1));
    }
    assertThat(sections).containsKeys("Unit", "Service", "Install");
    return sections;
  }

  private static String one(Map<String, List<String>> section, String key) {
    assertThat(section).containsKey(key);
    assertThat(section.get(key)).as(key).hasSize(1);
    return section.get(key).get(0);
  }

  /** Every document of every manifest in infra/k8s, by kind and name. */
  private record Manifests(Map<String, Map<String, Object>> byKindAndName) {
    static Manifests read() throws IOException {
      Map<String, Map<String, Object>> all = new LinkedHashMap<>();
      try (Stream<Path> files = Files.list(repoFile("infra/k8s"))) {
        for (Path file : files.sorted().toList()) {
          if (file.getFileName().toString().equals("kustomization.yaml")) {
            continue;
          }
          for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            Map<String, Object> manifest = asMap(doc);
            assertThat(manifest).as(file.toString()).containsKeys("apiVersion", "kind", "metadata");
            String key = manifest.get("kind") + "/" + map(manifest, "metadata").get("name");
            assertThat(all.put(key, manifest)).as("%s defined twice", key).isNull();
          }
        }
      }
      return new Manifests(all);
    }

    Map<String, Object> get(String kind, String name) {
      Map<String, Object> manifest = byKindAndName.get(kind + "/" + name);
      assertThat(manifest).as("%s/%s in infra/k8s", kind, name).isNotNull();
      return manifest;
    }
  }

  private static Map<String, Object> onlyContainer(Map<String, Object> deployment) {
    return onlyEntry(list(map(map(map(deployment, "spec"), "template"), "spec"), "containers"));
  }

  private static Map<String, Object> onlyPort(Map<String, Object> container) {
    return onlyEntry(list(container, "ports"));
  }

  private static Map<String, Object> onlyEntry(List<Object> items) {
    assertThat(items).hasSize(1);
    return asMap(items.get(0));
  }

  private static Map<String, Object> yamlFile(String relative) throws IOException {
    return asMap(new Yaml().load(Files.readString(repoFile(relative))));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    assertThat(parent).containsKey(key);
    return asMap(parent.get(key));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
    return (List<Object>) parent.get(key);
  }

  private static Path repoFile(String relative) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
