package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.kafka.KafkaSecurity.Protocol;
import io.gatehouse.kafka.KafkaSecurity.Scram;
import io.gatehouse.kafka.KafkaSecurity.ScramMechanism;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {
  private static final Path CA = Path.of("/etc/gatehouse/kafka-ca.pem");
  private static final Scram LOGIN =
      new Scram(ScramMechanism.SCRAM_SHA_512, "gatehouse-proxy", "s3cr\"et\\pw");

  @Test
  void plaintextSetsOnlyTheProtocol() {
    assertThat(KafkaSecurity.PLAINTEXT.clientProperties())
        .containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void sslTrustsTheCaFileAsPem() {
    assertThat(KafkaSecurity.ssl(CA).clientProperties())
        .containsOnly(
            Map.entry("security.protocol", "SSL"),
            Map.entry("ssl.truststore.type", "PEM"),
            Map.entry("ssl.truststore.location", "/etc/gatehouse/kafka-ca.pem"));
  }

  @Test
  void saslSslLogsInWithAScramJaasConfigWhoseValuesAreEscaped() {
    Map<String, String> p = KafkaSecurity.saslSsl(CA, LOGIN).clientProperties();

    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(p.get("sasl.jaas.config"))
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"gatehouse-proxy\" password=\"s3cr\\\"et\\\\pw\";");
  }

  @Test
  void mechanismsAreNamedAsKafkaNamesThem() {
    assertThat(ScramMechanism.SCRAM_SHA_256.kafkaName()).isEqualTo("SCRAM-SHA-256");
    assertThat(ScramMechanism.named("scram-sha-512")).contains(ScramMechanism.SCRAM_SHA_512);
    assertThat(ScramMechanism.named("PLAIN")).isEmpty();
  }

  @Test
  void inconsistentCombinationsAreRefused() {
    assertThatThrownBy(() -> new KafkaSecurity(Protocol.SSL, Optional.empty(), Optional.empty()))
        .hasMessageContaining("needs a CA file");
    assertThatThrownBy(
            () -> new KafkaSecurity(Protocol.PLAINTEXT, Optional.of(CA), Optional.empty()))
        .hasMessageContaining("SSL or SASL_SSL");
    assertThatThrownBy(
            () -> new KafkaSecurity(Protocol.SASL_SSL, Optional.of(CA), Optional.empty()))
        .hasMessageContaining("needs a SCRAM login");
    assertThatThrownBy(() -> new KafkaSecurity(Protocol.SSL, Optional.of(CA), Optional.of(LOGIN)))
        .hasMessageContaining("needs protocol SASL_SSL");
  }

  @Test
  void aBadPasswordIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> new Scram(ScramMechanism.SCRAM_SHA_512, "u", "two\nlines"))
        .hasMessageContaining("'u'")
        .hasMessageContaining("one line")
        .hasMessageNotContaining("two");
    assertThatThrownBy(() -> new Scram(ScramMechanism.SCRAM_SHA_512, "u", ""))
        .hasMessageContaining("not empty");
  }

  @Test
  void toStringNeverShowsThePassword() {
    KafkaSecurity security = KafkaSecurity.saslSsl(CA, LOGIN);

    assertThat(security.toString())
        .contains("SASL_SSL", "kafka-ca.pem", "gatehouse-proxy", "SCRAM-SHA-512", "[hidden]")
        .doesNotContain("s3cr");
    assertThat(LOGIN.toString()).doesNotContain("s3cr");
  }
}
