package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.pki.CertificateIdentity.Role;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes over loopback sockets with contexts from {@link TlsContexts}. */
class TlsHandshakeTest {
  @TempDir static Path dir;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static ClusterCa cluster;
  private static ClusterCa other;
  private static IssuedCertificate proxy;
  private static IssuedCertificate agent;

  @BeforeAll
  static void issue() throws Exception {
    cluster = ClusterCa.init(dir.resolve("cluster"), Clock.systemUTC(), RANDOM);
    other = ClusterCa.init(dir.resolve("other"), Clock.systemUTC(), RANDOM);
    proxy =
        cluster.issueProxy(
            "proxy-1",
            List.of("localhost"),
            List.of(InetAddress.getLoopbackAddress()),
            Duration.ofDays(1));
    agent = agent(cluster, "agent-1");
  }

  private static IssuedCertificate agent(ClusterCa ca, String id) {
    KeyPair keys = AgentCsr.generateKeyPair(RANDOM);
    X509Certificate leaf =
        ca.signAgent(AgentCsr.create(id, keys), id, Set.of("app", "db"), Duration.ofDays(1));
    return new IssuedCertificate(keys.getPrivate(), List.of(leaf, ca.certificate()));
  }

  private static SSLContext proxyServer() {
    return TlsContexts.mutual(proxy, cluster.certificate());
  }

  /** The side failed, and {@code reason} appears somewhere in its chain of causes. */
  private static void assertRefused(Optional<Throwable> failure, String reason) {
    assertThat(failure).as("a failure").isPresent();
    StringBuilder causes = new StringBuilder();
    for (Throwable c = failure.get(); c != null; c = c.getCause()) {
      causes.append(c).append('\n');
    }
    assertThat(causes.toString()).as("causes").contains(reason);
  }

  @Test
  void twoClusterCertificatesAuthenticateEachOtherOverTls13() throws Exception {
    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), true, TlsContexts.mutual(agent, cluster.certificate()));

    assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
    assertThat(outcome.protocol()).isEqualTo("TLSv1.3");
    assertThat(CertificateIdentity.of(outcome.clientCertificate().orElseThrow()))
        .isEqualTo(CertificateIdentity.agent("agent-1", Set.of("app", "db")));
    assertThat(CertificateIdentity.of(outcome.serverCertificate().orElseThrow()).role())
        .isEqualTo(Role.PROXY);
  }

  @Test
  void clientCertificateFromAnotherCaIsRefused() throws Exception {
    IssuedCertificate stranger = agent(other, "agent-1");

    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), true, TlsContexts.mutual(stranger, cluster.certificate()));

    assertRefused(outcome.serverFailure(), "unable to find valid certification path");
    assertThat(outcome.clientFailure()).isPresent();
    assertThat(outcome.clientCertificate()).isEmpty();
  }

  @Test
  void clientWithoutCertificateIsRefusedWhenTheServerRequiresOne() throws Exception {
    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), true, TlsContexts.trusting(cluster.certificate()));

    assertRefused(outcome.serverFailure(), "Empty client certificate chain");
    assertThat(outcome.clientFailure()).isPresent();
  }

  @Test
  void pinnedClientAcceptsTheClusterItPins() throws Exception {
    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), false, TlsContexts.pinned(cluster.pin()));

    assertThat(outcome.succeeded()).as(String.valueOf(outcome)).isTrue();
    assertThat(outcome.protocol()).isEqualTo("TLSv1.3");
    assertThat(CertificateIdentity.of(outcome.serverCertificate().orElseThrow()))
        .isEqualTo(CertificateIdentity.proxy("proxy-1"));
  }

  @Test
  void pinnedClientRefusesAServerWhoseCaHasAnotherPin() throws Exception {
    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), false, TlsContexts.pinned(other.pin()));

    assertRefused(outcome.clientFailure(), "not the expected " + other.pin());
  }

  @Test
  void pinnedClientRefusesAServerThatSendsNoCa() throws Exception {
    IssuedCertificate leafOnly = new IssuedCertificate(proxy.key(), List.of(proxy.leaf()));

    Loopback.Outcome outcome =
        Loopback.connect(
            TlsContexts.mutual(leafOnly, cluster.certificate()),
            false,
            TlsContexts.pinned(cluster.pin()));

    assertRefused(outcome.clientFailure(), "sent no CA certificate");
  }

  @Test
  void expiredServerCertificateIsRefusedByTrustingAndPinnedClients() throws Exception {
    Clock lastYear = Clock.fixed(Instant.now().minus(Duration.ofDays(365)), ZoneOffset.UTC);
    IssuedCertificate expired =
        ClusterCa.load(dir.resolve("cluster"), lastYear, RANDOM)
            .issueProxy("proxy-old", List.of(), List.of(), Duration.ofDays(1));
    SSLContext server = TlsContexts.mutual(expired, cluster.certificate());

    for (SSLContext client :
        List.of(TlsContexts.trusting(cluster.certificate()), TlsContexts.pinned(cluster.pin()))) {
      Loopback.Outcome outcome = Loopback.connect(server, false, client);

      assertRefused(outcome.clientFailure(), CertificateExpiredException.class.getName());
    }
  }

  @Test
  void expiredClientCertificateIsRefused() throws Exception {
    Clock lastYear = Clock.fixed(Instant.now().minus(Duration.ofDays(365)), ZoneOffset.UTC);
    ClusterCa past = ClusterCa.load(dir.resolve("cluster"), lastYear, RANDOM);
    IssuedCertificate expired = agent(past, "agent-old");

    Loopback.Outcome outcome =
        Loopback.connect(proxyServer(), true, TlsContexts.mutual(expired, cluster.certificate()));

    assertRefused(outcome.serverFailure(), CertificateExpiredException.class.getName());
  }

  @Test
  void agentCertificateCannotPoseAsAProxy() throws Exception {
    Loopback.Outcome outcome =
        Loopback.connect(
            TlsContexts.mutual(agent, cluster.certificate()),
            false,
            TlsContexts.pinned(cluster.pin()));

    assertRefused(outcome.clientFailure(), "Extended key usage does not permit");
  }

  @Test
  void contextsSpeakTls13Only() throws Exception {
    SSLContext context = proxyServer();

    try (SSLServerSocket server =
            (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      assertThat(server.getEnabledProtocols()).containsExactly("TLSv1.3");
      assertThat(socket.getEnabledProtocols()).containsExactly("TLSv1.3");
    }
    SSLEngine engine = context.createSSLEngine();
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
    assertThat(context.getDefaultSSLParameters().getProtocols()).containsExactly("TLSv1.3");
    assertThat(context.getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void tls12ClientIsRefused() throws Exception {
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(
        new KeyManager[] {TlsContexts.keyManager(agent)},
        new TrustManager[] {TlsContexts.trustManager(cluster.certificate())},
        RANDOM);

    Loopback.Outcome outcome = Loopback.connect(proxyServer(), true, tls12);

    assertRefused(outcome.serverFailure(), "not accepted by server preferences [TLSv1.3]");
  }
}
