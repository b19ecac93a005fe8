package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.KafkaSecurity.Protocol;
import io.gatehouse.kafka.KafkaSecurity.ScramMechanism;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityConfigTest {
  private static final String PASSWORD = "correct-horse-battery";

  @TempDir Path dir;
  private Path ca;
  private Path passwordFile;

  @BeforeEach
  void files() throws Exception {
    ca =
        Files.writeString(
            dir.resolve("kafka-ca.pem"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    passwordFile = Files.writeString(dir.resolve("kafka-password"), PASSWORD + "\n");
  }

  @Test
  void withoutASecuritySectionTheProxyConnectsInTheClear() {
    ProxyConfig c = ProxyConfig.parse("proxy: {}", "proxy.yaml");

    assertThat(c.kafkaSecurity()).isEqualTo(KafkaSecurity.PLAINTEXT);
    assertThat(c.kafkaSettings().properties())
        .containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void saslSslReadsTheCaFileAndThePasswordFileWithoutItsLineBreak() {
    ProxyConfig c =
        parse(
            """
            protocol: SASL_SSL
            ca_file: "%s"
            sasl: { mechanism: SCRAM-SHA-256, username: gatehouse-proxy, password_file: "%s" }
            """
                .formatted(ca, passwordFile),
            Map.of());

    assertThat(c.kafkaSecurity().protocol()).isEqualTo(Protocol.SASL_SSL);
    assertThat(c.kafkaSecurity().caFile()).contains(ca);
    KafkaSecurity.Scram login = c.kafkaSecurity().login().orElseThrow();
    assertThat(login.mechanism()).isEqualTo(ScramMechanism.SCRAM_SHA_256);
    assertThat(login.username()).isEqualTo("gatehouse-proxy");
    assertThat(login.password()).isEqualTo(PASSWORD);
    assertThat(c.kafkaSettings().clientId()).isEqualTo("gatehouse-proxy-p1");
    assertThat(c.kafkaSettings().properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.location", ca.toAbsolutePath().toString())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
  }

  @Test
  void thePasswordMayComeFromTheEnvironmentAndTheMechanismDefaultsToSha512() {
    ProxyConfig c =
        parse(
            """
            protocol: SASL_SSL
            ca_file: "%s"
            sasl: { username: gatehouse-proxy, password_env: KAFKA_PASSWORD }
            """
                .formatted(ca),
            Map.of("KAFKA_PASSWORD", PASSWORD));

    assertThat(c.kafkaSecurity().login().orElseThrow().password()).isEqualTo(PASSWORD);
    assertThat(c.kafkaSecurity().login().orElseThrow().mechanism())
        .isEqualTo(ScramMechanism.SCRAM_SHA_512);
  }

  @Test
  void sslNeedsOnlyTheCaFile() {
    ProxyConfig c = parse("protocol: SSL\nca_file: \"%s\"\n".formatted(ca), Map.of());

    assertThat(c.kafkaSecurity()).isEqualTo(KafkaSecurity.ssl(ca));
  }

  @Test
  void tlsWithoutACaFileIsRefused() {
    assertProblem("protocol: SSL\n", "proxy.kafka.security.ca_file: missing required key");
  }

  @Test
  void aCaFileWithoutTlsIsRefused() {
    assertProblem(
        "ca_file: \"%s\"\n".formatted(ca),
        "proxy.kafka.security.ca_file: only used with protocol SSL or SASL_SSL");
  }

  @Test
  void aCaFileThatIsMissingOrNotPemIsRefusedNamingTheFile() throws Exception {
    assertProblem(
        "protocol: SSL\nca_file: \"%s\"\n".formatted(dir.resolve("nope.pem")),
        "proxy.kafka.security.ca_file: cannot read " + dir.resolve("nope.pem") + ": no such file");
    Path notPem = Files.writeString(dir.resolve("ca.txt"), "hello");
    assertProblem(
        "protocol: SSL\nca_file: \"%s\"\n".formatted(notPem),
        "proxy.kafka.security.ca_file: " + notPem + " holds no PEM certificate");
  }

  @Test
  void aLoginWithoutSaslSslIsRefused() {
    assertProblem(
        """
        protocol: SSL
        ca_file: "%s"
        sasl: { username: u, password_file: "%s" }
        """
            .formatted(ca, passwordFile),
        "proxy.kafka.security.sasl: needs protocol SASL_SSL (got SSL)");
  }

  @Test
  void saslSslWithoutALoginIsRefused() {
    assertProblem(
        "protocol: SASL_SSL\nca_file: \"%s\"\n".formatted(ca),
        "proxy.kafka.security.sasl: missing required key");
  }

  @Test
  void bothPasswordSourcesAreRefused() {
    assertProblem(
        """
        protocol: SASL_SSL
        ca_file: "%s"
        sasl: { username: u, password_file: "%s", password_env: KAFKA_PASSWORD }
        """
            .formatted(ca, passwordFile),
        "proxy.kafka.security.sasl: password_file and password_env are both set: give exactly"
            + " one");
  }

  @Test
  void neitherPasswordSourceIsRefused() {
    assertProblem(
        "protocol: SASL_SSL\nca_file: \"%s\"\nsasl: { username: u }\n".formatted(ca),
        "proxy.kafka.security.sasl.password_file: missing required key: give password_file or"
            + " password_env");
  }

  @Test
  void anUnreadablePasswordFileIsRefusedNamingTheFile() {
    Path missing = dir.resolve("no-password");
    assertProblem(
        """
        protocol: SASL_SSL
        ca_file: "%s"
        sasl: { username: u, password_file: "%s" }
        """
            .formatted(ca, missing),
        "proxy.kafka.security.sasl.password_file: cannot read " + missing + ": no such file");
  }

  @Test
  void anUnsetVariableIsRefusedNamingIt() {
    assertProblem(
        """
        protocol: SASL_SSL
        ca_file: "%s"
        sasl: { username: u, password_env: KAFKA_PASSWORD }
        """
            .formatted(ca),
        "proxy.kafka.security.sasl.password_env: environment variable KAFKA_PASSWORD is not set");
  }

  @Test
  void aBadPasswordIsRefusedWithoutEchoingIt() throws Exception {
    Files.writeString(passwordFile, PASSWORD + "\nsecond line\n");

    assertThatThrownBy(
            () ->
                parse(
                    """
                    protocol: SASL_SSL
                    ca_file: "%s"
                    sasl: { username: u, password_file: "%s" }
                    """
                        .formatted(ca, passwordFile),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "proxy.yaml: proxy.kafka.security.sasl.password_file: "
                + passwordFile
                + " must hold the password on one line")
        .hasMessageNotContaining(PASSWORD)
        .hasMessageNotContaining("second line");
  }

  @Test
  void unknownProtocolsMechanismsAndKeysAreRefused() {
    assertProblem(
        "protocol: SASL_PLAINTEXT\n",
        "proxy.kafka.security.protocol: 'SASL_PLAINTEXT' is not one of");
    assertProblem(
        """
        protocol: SASL_SSL
        ca_file: "%s"
        sasl: { mechanism: PLAIN, username: u, password_env: P, passwd: x }
        """
            .formatted(ca),
        "proxy.kafka.security.sasl.mechanism: 'PLAIN' is not one of SCRAM-SHA-256, SCRAM-SHA-512");
    assertProblem(
        """
        protocol: SASL_SSL
        ca_file: "%s"
        sasl: { username: u, password_env: P, passwd: x }
        """
            .formatted(ca),
        "proxy.kafka.security.sasl.passwd: unknown key");
  }

  @Test
  void theConfigNeverPrintsThePassword() {
    ProxyConfig c =
        parse(
            """
            protocol: SASL_SSL
            ca_file: "%s"
            sasl: { username: gatehouse-proxy, password_file: "%s" }
            """
                .formatted(ca, passwordFile),
            Map.of());

    assertThat(c.toString()).contains("gatehouse-proxy", "[hidden]").doesNotContain(PASSWORD);
    assertThat(c.kafkaSettings().toString()).doesNotContain(PASSWORD);
  }

  private static ProxyConfig parse(String security, Map<String, String> env) {
    String yaml =
        "proxy:\n  id: p1\n  kafka:\n    bootstrap: \"k1:9093\"\n    security:\n"
            + security.indent(6);
    return ProxyConfigReader.read(
        ConfigDocument.parse(yaml, "proxy.yaml"), new SplittableRandom(1), env::get);
  }

  private static void assertProblem(String security, String problem) {
    assertThatThrownBy(() -> parse(security, Map.of("P", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: " + problem);
  }
}
