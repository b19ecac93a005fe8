package io.gatehouse.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.HostPort;
import io.gatehouse.pki.AgentCsr;
import io.gatehouse.pki.ClusterCa;
import io.gatehouse.pki.IssuedCertificate;
import io.gatehouse.pki.Pem;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy.tls} and {@code proxy.plaintext_listen}: read, checked, refused with their key. */
class EdgeSettingsTest {
  @TempDir static Path dir;
  static Path cert;
  static Path key;
  static Path otherKey;

  @BeforeAll
  static void files() throws Exception {
    ClusterCa operatorCa =
        ClusterCa.init(dir.resolve("op-ca"), Clock.systemUTC(), new SecureRandom());
    IssuedCertificate issued =
        operatorCa.issueProxy(
            "edge",
            List.of("gatehouse.example.com"),
            List.of(InetAddress.getByName("127.0.0.1")),
            Duration.ofDays(1));
    cert = dir.resolve("edge.crt");
    key = dir.resolve("edge.key");
    otherKey = dir.resolve("other.key");
    Pem.writeCertificates(cert, issued.chain());
    Pem.writePrivateKey(key, issued.key());
    Pem.writePrivateKey(otherKey, AgentCsr.generateKeyPair(new SecureRandom()).getPrivate());
  }

  private static ProxyConfig parse(String proxySection) {
    return ProxyConfig.parse("proxy:\n" + proxySection, "proxy.yaml");
  }

  @Test
  void defaultsHaveNeither() {
    ProxyConfig c = parse("  id: p1\n");
    assertThat(c.edge().certificate()).isEmpty();
    assertThat(c.edge().plaintextListen()).isEmpty();
  }

  @Test
  void theOperatorsCertificateIsReadAndChecked() {
    ProxyConfig c = parse("  tls: { cert_file: \"%s\", key_file: \"%s\" }\n".formatted(cert, key));
    assertThat(c.edge().certificate()).isPresent();
    assertThat(c.edge().certificate().get().chain().get(0).getSubjectX500Principal().getName())
        .contains("edge");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() {
    assertThatThrownBy(
            () ->
                parse("  tls: { cert_file: \"%s\", key_file: \"%s\" }\n".formatted(cert, otherKey)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.yaml: proxy.tls.key_file: " + otherKey)
        .hasMessageContaining("is not the one the certificate in " + cert + " certifies");
  }

  @Test
  void aMissingFileOrAMissingHalfIsRefused() throws Exception {
    Path missing = dir.resolve("nope.crt");
    assertThatThrownBy(
            () -> parse("  tls: { cert_file: \"%s\", key_file: \"%s\" }\n".formatted(missing, key)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.tls.cert_file: ")
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> parse("  tls: { cert_file: \"%s\" }\n".formatted(cert)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.tls.key_file: cert_file and key_file go together");
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    assertThatThrownBy(
            () -> parse("  tls: { cert_file: \"%s\", key_file: \"%s\" }\n".formatted(notPem, key)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.tls.cert_file: ");
  }

  @Test
  void thePlaintextListenerBindsLoopbackOnly() {
    assertThat(parse("  plaintext_listen: \"127.0.0.1:3081\"\n").edge().plaintextListen())
        .contains(new HostPort("127.0.0.1", 3081));
    assertThatThrownBy(() -> parse("  plaintext_listen: \"0.0.0.0:3081\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.plaintext_listen: ")
        .hasMessageContaining("loopback address only");
    assertThatThrownBy(() -> parse("  plaintext_listen: \"192.0.2.10:3081\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("loopback address only");
  }
}
