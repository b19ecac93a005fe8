package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.pki.CertificateIdentity.Role;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateIdentityTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();

  private ClusterCa ca() {
    return ClusterCa.init(dir, Clock.systemUTC(), random);
  }

  @Test
  void agentIdentityRoundTripsThroughItsCertificate() {
    ClusterCa ca = ca();
    AgentCsr csr = AgentCsr.create("db-host.1_a", AgentCsr.generateKeyPair(random));

    CertificateIdentity identity =
        CertificateIdentity.of(
            ca.signAgent(csr, "db-host.1_a", Set.of("kube", "db", "app"), Duration.ofDays(1)));

    assertThat(identity.role()).isEqualTo(Role.AGENT);
    assertThat(identity.id()).isEqualTo("db-host.1_a");
    assertThat(identity.kinds()).containsExactly("app", "db", "kube");
    assertThat(identity.mayServe("db")).isTrue();
    assertThat(identity.mayServe("desktop")).isFalse();
  }

  @Test
  void proxyIdentityRoundTripsThroughItsCertificate() {
    IssuedCertificate proxy = ca().issueProxy("proxy-2", List.of(), List.of(), Duration.ofDays(1));

    CertificateIdentity identity = CertificateIdentity.of(proxy.leaf());

    assertThat(identity).isEqualTo(CertificateIdentity.proxy("proxy-2"));
    assertThat(identity.kinds()).isEmpty();
    assertThat(identity.mayServe("app")).isFalse();
    assertThat(identity.uri()).isEqualTo("spiffe://gatehouse/proxy/proxy-2");
  }

  @Test
  void certificateWithoutAGatehouseIdentityIsRefused() {
    ClusterCa ca = ca();

    assertThatThrownBy(() -> CertificateIdentity.of(ca.certificate()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(ca.certificate().getSubjectX500Principal().getName())
        .hasMessageContaining("carries no Gatehouse identity");
  }

  @Test
  void partsAreChecked() {
    assertThatThrownBy(() -> CertificateIdentity.agent("a/b", Set.of("app")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("invalid agent id 'a/b'");
    assertThatThrownBy(() -> CertificateIdentity.agent("a", Set.of("App")))
        .hasMessageContaining("invalid kind 'App'");
    assertThatThrownBy(() -> new CertificateIdentity(Role.PROXY, "p", Set.of("app")))
        .hasMessageContaining("a proxy certificate names no kinds");
  }

  @Test
  void kindsAreSortedAndUnmodifiable() {
    CertificateIdentity identity = CertificateIdentity.agent("a", Set.of("db", "app"));

    assertThat(identity.kinds()).containsExactly("app", "db");
    assertThat(identity.kindsUri()).contains("gatehouse:kinds:app,db");
    assertThatThrownBy(() -> identity.kinds().add("kube"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
