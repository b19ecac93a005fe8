package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuedCertificateTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private ClusterCa ca;

  @BeforeEach
  void makeCa() {
    ca = ClusterCa.init(dir.resolve("ca"), Clock.systemUTC(), random);
  }

  private IssuedCertificate proxy(String id) {
    return ca.issueProxy(id, List.of("localhost"), List.of(), Duration.ofDays(1));
  }

  @Test
  void chainAndKeyRoundTripThroughOwnerOnlyFiles() throws Exception {
    IssuedCertificate issued = proxy("p1");
    Path cert = dir.resolve("tls/proxy.crt");
    Path key = dir.resolve("tls/proxy.key");

    issued.writeTo(cert, key);
    IssuedCertificate read = IssuedCertificate.read(cert, key);

    assertThat(read.chain()).containsExactlyElementsOf(issued.chain());
    assertThat(read.key()).isEqualTo(issued.key());
    for (Path file : List.of(cert, key)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.list(dir.resolve("tls"))).hasSize(2);
  }

  @Test
  void writingAgainReplacesBothFilesWhole() {
    Path cert = dir.resolve("agent.crt");
    Path key = dir.resolve("agent.key");
    KeyPair first = AgentCsr.generateKeyPair(random);
    KeyPair renewed = AgentCsr.generateKeyPair(random);
    agent(first).writeTo(cert, key);

    agent(renewed).writeTo(cert, key);

    IssuedCertificate read = IssuedCertificate.read(cert, key);
    assertThat(read.leaf().getPublicKey()).isEqualTo(renewed.getPublic());
    assertThat(read.identity().id()).isEqualTo("a1");
  }

  @Test
  void keyOfAnotherCertificateIsRefusedNamingBothFiles() {
    Path cert = dir.resolve("one.crt");
    Path key = dir.resolve("one.key");
    proxy("p1").writeTo(cert, key);
    Pem.writePrivateKey(key, proxy("p2").key());

    assertThatThrownBy(() -> IssuedCertificate.read(cert, key))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(
            key + ": this private key does not belong to the certificate in " + cert);
  }

  @Test
  void missingFilesAreNamed() {
    Path cert = dir.resolve("none.crt");

    assertThatThrownBy(() -> IssuedCertificate.read(cert, dir.resolve("none.key")))
        .hasMessageContaining(cert + ": no such certificate file");
  }

  @Test
  void pemRefusesOneKindOfBlockWhereAnotherBelongs() {
    String key = Pem.privateKey(proxy("p1").key());
    String certs = Pem.certificates(proxy("p1").chain());

    assertThatThrownBy(() -> Pem.parseCertificates(key))
        .hasMessageContaining("PEM text: holds a private key where a certificate belongs");
    assertThatThrownBy(() -> Pem.parsePrivateKey(certs))
        .hasMessageContaining("PEM text: holds more than one PEM block");
    assertThatThrownBy(() -> Pem.parseCertificates("just text"))
        .hasMessageContaining("no PEM certificate found");
    assertThatThrownBy(() -> Pem.parsePrivateKey(""))
        .hasMessageContaining("no PEM private key found");
  }

  @Test
  void pemReadsTheOlderEcPrivateKeyForm() throws Exception {
    IssuedCertificate issued = proxy("p1");
    // OpenSSL's traditional form: the curve inside the key structure, no PKCS#8 wrapper.
    PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(issued.key().getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
    ECPrivateKey traditional =
        new ECPrivateKey(256, inner.getKey(), pkcs8.getPrivateKeyAlgorithm().getParameters());
    String pem = Forgery.pem("EC PRIVATE KEY", traditional.getEncoded());

    assertThat(Keys.belongTogether(Pem.parsePrivateKey(pem), issued.leaf().getPublicKey()))
        .isTrue();
  }

  @Test
  void chainNeedsALeaf() {
    assertThatThrownBy(() -> new IssuedCertificate(proxy("p").key(), List.<X509Certificate>of()))
        .hasMessageContaining("at least its leaf");
  }

  private IssuedCertificate agent(KeyPair keys) {
    X509Certificate leaf =
        ca.signAgent(AgentCsr.create("a1", keys), "a1", Set.of("app"), Duration.ofDays(1));
    return new IssuedCertificate(keys.getPrivate(), List.of(leaf, ca.certificate()));
  }
}
