package io.gatehouse.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCsrTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();

  @Test
  void csrSurvivesAPemRoundTripWithItsIdAndKey() {
    KeyPair keys = AgentCsr.generateKeyPair(random);
    AgentCsr csr = AgentCsr.create("agent-1", keys);

    String pem = csr.toPem();
    AgentCsr read = AgentCsr.parse(pem);

    assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    assertThat(read).isEqualTo(csr);
    assertThat(read.agentId()).isEqualTo("agent-1");
    assertThat(read.publicKey()).isEqualTo(keys.getPublic());
    assertThat(read.signatureValid()).isTrue();
  }

  @Test
  void keyPairsAreFreshP256Keys() {
    KeyPair one = AgentCsr.generateKeyPair(random);
    KeyPair two = AgentCsr.generateKeyPair(random);

    assertThat(one.getPublic()).isInstanceOf(ECPublicKey.class).isNotEqualTo(two.getPublic());
    assertThat(((ECPublicKey) one.getPublic()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
  }

  @Test
  void sameIdWithAnotherKeyIsADifferentRequest() {
    AgentCsr one = AgentCsr.create("agent-1", AgentCsr.generateKeyPair(random));
    AgentCsr two = AgentCsr.create("agent-1", AgentCsr.generateKeyPair(random));

    assertThat(one.agentId()).isEqualTo(two.agentId());
    assertThat(one.publicKey()).isNotEqualTo(two.publicKey());
  }

  @Test
  void forgedSignatureIsDetected() {
    assertThat(Forgery.csrSignedByAnotherKey("agent-1", random).signatureValid()).isFalse();
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> AgentCsr.parse("hello"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not a PEM certificate request");
    assertThatThrownBy(
            () ->
                AgentCsr.parse(
                    "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("damaged certificate request");
    assertThatThrownBy(() -> AgentCsr.parse(Forgery.pem("CERTIFICATE REQUEST", new byte[] {1, 2})))
        .isInstanceOf(PkiException.class);
  }

  @Test
  void certificateIsNotARequest() {
    String certificate =
        Pem.certificates(List.of(ClusterCa.init(dir, Clock.systemUTC(), random).certificate()));

    assertThatThrownBy(() -> AgentCsr.parse(certificate))
        .hasMessageContaining("not a PEM certificate request");
  }

  @Test
  void invalidIdsAndKeysAreRefused() throws Exception {
    assertThatThrownBy(() -> AgentCsr.create("agent 1", AgentCsr.generateKeyPair(random)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("invalid agent id 'agent 1'");
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertThatThrownBy(() -> AgentCsr.create("agent-1", p384.generateKeyPair()))
        .hasMessageContaining("EC P-256");
  }
}
