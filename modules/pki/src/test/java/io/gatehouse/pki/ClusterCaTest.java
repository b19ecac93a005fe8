package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCaTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path tmp;
  private final SecureRandom random = new SecureRandom();

  private ClusterCa init() {
    return ClusterCa.init(tmp.resolve("ca"), CLOCK, random);
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void loadReadsBackTheCaThatInitWrote() {
    ClusterCa made = init();

    ClusterCa loaded = ClusterCa.load(tmp.resolve("ca"));

    assertThat(loaded.certificate()).isEqualTo(made.certificate());
    assertThat(loaded.pin()).isEqualTo(made.pin());
    assertThat(ClusterCa.readCertificate(tmp.resolve("ca"))).isEqualTo(made.certificate());
    assertThat(ClusterSecret.read(tmp.resolve("ca"))).isNotNull();
  }

  @Test
  void initWritesOwnerOnlyFilesInAnOwnerOnlyDirectory() throws Exception {
    init();
    Path dir = tmp.resolve("ca");

    assertThat(mode(dir)).isEqualTo("rwx------");
    for (String name : List.of("ca.key", "ca.crt", "cluster.secret")) {
      assertThat(mode(dir.resolve(name))).as(name).isEqualTo("rw-------");
    }
    assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("ca.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void caIsASelfSignedP256CaThatSignsLeavesOnlyForTenYears() throws Exception {
    X509Certificate ca = init().certificate();

    ca.verify(ca.getPublicKey());
    assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(ca.getBasicConstraints()).isZero();
    boolean[] usage = ca.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[6]).as("cRLSign").isTrue();
    assertThat(usage[0]).as("digitalSignature").isFalse();
    assertThat(ca.getSubjectX500Principal().getName())
        .matches("CN=Gatehouse cluster CA [0-9a-f]{8}");
    assertThat(ca.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
  }

  @Test
  void initNeverOverwritesAnExistingCa() throws Exception {
    init();
    Path dir = tmp.resolve("ca");
    String key = Files.readString(dir.resolve("ca.key"));

    assertThatThrownBy(() -> ClusterCa.init(dir, CLOCK, random))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(dir.resolve("ca.key").toString())
        .hasMessageContaining("never overwrites");
    assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo(key);
  }

  @Test
  void initWritesNothingWhenAnyOfItsFilesExists() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ca"));
    ClusterSecret.generate(random).write(dir);

    assertThatThrownBy(() -> ClusterCa.init(dir, CLOCK, random))
        .hasMessageContaining(dir.resolve("cluster.secret").toString());
    assertThat(dir.resolve("ca.key")).doesNotExist();
    assertThat(dir.resolve("ca.crt")).doesNotExist();
  }

  @Test
  void loadOfAnEmptyDirectoryNamesTheCertificateAndTheCommandThatMakesIt() {
    Path dir = tmp.resolve("nothing");

    assertThatThrownBy(() -> ClusterCa.load(dir))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(dir.resolve("ca.crt").toString())
        .hasMessageContaining("gatehouse ca init --dir " + dir);
  }

  @Test
  void loadNamesAMissingKey() throws Exception {
    init();
    Path dir = tmp.resolve("ca");
    Files.delete(dir.resolve("ca.key"));

    assertThatThrownBy(() -> ClusterCa.load(dir))
        .hasMessageContaining(dir.resolve("ca.key") + ": no CA key");
  }

  @Test
  void loadNamesADamagedCertificate() throws Exception {
    init();
    Path dir = tmp.resolve("ca");
    Files.writeString(
        dir.resolve("ca.crt"),
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> ClusterCa.load(dir))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(dir.resolve("ca.crt").toString())
        .hasMessageContaining("damaged");
  }

  @Test
  void loadNamesADamagedKeyWithoutQuotingIt() throws Exception {
    init();
    Path dir = tmp.resolve("ca");
    String key = Files.readString(dir.resolve("ca.key"));
    String cut = key.substring(0, key.length() / 2) + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(dir.resolve("ca.key"), cut);

    assertThatThrownBy(() -> ClusterCa.load(dir))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(dir.resolve("ca.key").toString())
        .hasMessageContaining("damaged")
        .hasMessageNotContaining(key.lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void loadRefusesTheKeyOfAnotherCa() throws Exception {
    init();
    ClusterCa.init(tmp.resolve("other"), CLOCK, random);
    Path dir = tmp.resolve("ca");
    Files.copy(
        tmp.resolve("other/ca.key"),
        dir.resolve("ca.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> ClusterCa.load(dir))
        .hasMessageContaining(dir.resolve("ca.key").toString())
        .hasMessageContaining("does not belong to the CA certificate");
  }

  @Test
  void readCertificateRefusesALeafWhereTheCaBelongs() throws Exception {
    ClusterCa ca = init();
    Path dir = tmp.resolve("ca");
    IssuedCertificate proxy = ca.issueProxy("p1", List.of(), List.of(), Duration.ofDays(1));
    Pem.writeCertificates(dir.resolve("ca.crt"), List.of(proxy.leaf()));

    assertThatThrownBy(() -> ClusterCa.readCertificate(dir)).hasMessageContaining("not a CA");
  }

  @Test
  void proxyCertificateServesAndDialsUnderItsNamesAndAddresses() throws Exception {
    ClusterCa ca = init();

    IssuedCertificate proxy =
        ca.issueProxy(
            "proxy-1",
            List.of("proxy-1.example.com"),
            List.of(InetAddress.getByName("127.0.0.1")),
            Duration.ofDays(90));

    X509Certificate leaf = proxy.leaf();
    leaf.verify(ca.certificate().getPublicKey());
    assertThat(proxy.chain()).containsExactly(leaf, ca.certificate());
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(leaf.getSubjectAlternativeNames())
        .contains(
            List.of(2, "proxy-1.example.com"),
            List.of(7, "127.0.0.1"),
            List.of(6, "spiffe://gatehouse/proxy/proxy-1"));
    assertThat(proxy.identity()).isEqualTo(CertificateIdentity.proxy("proxy-1"));
    assertThat(Keys.belongTogether(proxy.key(), leaf.getPublicKey())).isTrue();
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
  }

  @Test
  void serialNumbersAreRandomPositive128BitNumbers() {
    ClusterCa ca = init();

    BigInteger one =
        ca.issueProxy("p", List.of(), List.of(), Duration.ofDays(1)).leaf().getSerialNumber();
    BigInteger two =
        ca.issueProxy("p", List.of(), List.of(), Duration.ofDays(1)).leaf().getSerialNumber();

    assertThat(one).isNotEqualTo(two);
    assertThat(one.signum()).isPositive();
    assertThat(one.bitLength()).isLessThanOrEqualTo(128).isGreaterThan(64);
  }

  @Test
  void noCertificateOutlivesTheCa() {
    ClusterCa ca = init();

    X509Certificate leaf =
        ca.issueProxy("p", List.of(), List.of(), Duration.ofDays(365 * 20)).leaf();

    assertThat(leaf.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    assertThatThrownBy(() -> ca.issueProxy("p", List.of(), List.of(), Duration.ZERO))
        .hasMessageContaining("lifetime must be positive");
  }

  @Test
  void agentCertificateNamesItsIdAndKindsAndOnlyDials() throws Exception {
    ClusterCa ca = init();
    KeyPair keys = AgentCsr.generateKeyPair(random);
    AgentCsr csr = AgentCsr.create("agent-7", keys);

    X509Certificate cert = ca.signAgent(csr, "agent-7", Set.of("db", "app"), Duration.ofDays(30));

    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=agent-7");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, "spiffe://gatehouse/agent/agent-7"), List.of(6, "gatehouse:kinds:app,db"));
    assertThat(CertificateIdentity.of(cert))
        .isEqualTo(CertificateIdentity.agent("agent-7", Set.of("app", "db")));
  }

  @Test
  void csrWithAnInvalidSignatureIsRefused() {
    ClusterCa ca = init();
    AgentCsr forged = Forgery.csrSignedByAnotherKey("agent-7", random);

    assertThatThrownBy(() -> ca.signAgent(forged, "agent-7", Set.of("app"), Duration.ofDays(1)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("CSR signature invalid");
  }

  @Test
  void csrForAnotherAgentIdIsRefused() {
    ClusterCa ca = init();
    AgentCsr csr = AgentCsr.create("agent-7", AgentCsr.generateKeyPair(random));

    assertThatThrownBy(() -> ca.signAgent(csr, "agent-8", Set.of("app"), Duration.ofDays(1)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("agent agent-8")
        .hasMessageContaining("'agent-7'");
  }

  @Test
  void agentCertificateNeedsAtLeastOneKind() {
    ClusterCa ca = init();
    AgentCsr csr = AgentCsr.create("agent-7", AgentCsr.generateKeyPair(random));

    assertThatThrownBy(() -> ca.signAgent(csr, "agent-7", Set.of(), Duration.ofDays(1)))
        .hasMessageContaining("at least one kind");
    assertThatThrownBy(() -> ca.signAgent(csr, "agent-7", Set.of("DB,x"), Duration.ofDays(1)))
        .hasMessageContaining("invalid kind 'DB,x'");
  }

  @Test
  void toStringNeverShowsTheKey() {
    ClusterCa ca = init();

    assertThat(ca.toString()).contains("Gatehouse cluster CA").contains("key=redacted");
    assertThat(ca.issueProxy("p", List.of(), List.of(), Duration.ofDays(1)).toString())
        .contains("CN=p")
        .contains("key=redacted");
  }
}
