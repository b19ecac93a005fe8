package io.gatehouse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void ofUsesTheDefaultClientIdAndNoProperties() {
    KafkaSettings s = KafkaSettings.of("localhost:9092");

    assertThat(s.bootstrap()).isEqualTo("localhost:9092");
    assertThat(s.clientId()).isEqualTo("gatehouse");
    assertThat(s.properties()).isEmpty();
  }

  @Test
  void acceptsSeveralServersAndBracketedIpv6() {
    KafkaSettings s = KafkaSettings.of("k1:9092, k2:9093,[::1]:9094");

    assertThat(s.bootstrap()).isEqualTo("k1:9092, k2:9093,[::1]:9094");
  }

  @Test
  void bootstrapWithoutAPortIsRefusedNamingTheServer() {
    assertThatThrownBy(() -> KafkaSettings.of("k1:9092,k2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'k2'")
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> KafkaSettings.of("k1:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'k1:0'");
    assertThatThrownBy(() -> KafkaSettings.of("k1:70000"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KafkaSettings.of("k1:9092,"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void blankBootstrapOrClientIdIsRefused() {
    assertThatThrownBy(() -> KafkaSettings.of(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> KafkaSettings.of("k:1").withClientId(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client id");
  }

  @Test
  void propertiesMayNotOverrideWhatTheSettingsOrTheFactoryOwn() {
    for (String key :
        new String[] {"bootstrap.servers", "client.id", "key.serializer", "value.deserializer"}) {
      assertThatThrownBy(() -> KafkaSettings.of("k:1").with(key, "x"))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + key + "'");
    }
  }

  @Test
  void withAndForClientReturnCopiesAndLeaveTheOriginalAlone() {
    KafkaSettings base = KafkaSettings.of("k:1").withClientId("gatehouse-agent-a1");

    KafkaSettings tuned = base.with("reconnect.backoff.ms", "100").forClient("heartbeats");

    assertThat(tuned.clientId()).isEqualTo("gatehouse-agent-a1-heartbeats");
    assertThat(tuned.properties()).containsExactly(Map.entry("reconnect.backoff.ms", "100"));
    assertThat(base.clientId()).isEqualTo("gatehouse-agent-a1");
    assertThat(base.properties()).isEmpty();
  }

  @Test
  void propertiesCannotBeChangedAfterTheFact() {
    Map<String, String> props = new HashMap<>(Map.of("linger.ms", "1"));
    KafkaSettings s = new KafkaSettings("k:1", "c", props);
    props.put("acks", "0");

    assertThat(s.properties()).containsOnlyKeys("linger.ms");
    assertThatThrownBy(() -> s.properties().put("acks", "0"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringHidesSecretsButShowsTheRest() {
    KafkaSettings s =
        KafkaSettings.of("k:1")
            .with("security.protocol", "SASL_SSL")
            .with("sasl.jaas.config", "PlainLoginModule username=\"u\" password=\"hunter2\";")
            .with("ssl.keystore.password", "hunter3")
            .with("ssl.key.password", "hunter4")
            .with("sasl.oauthbearer.token.endpoint.url", "https://idp/token");

    assertThat(s.toString())
        .contains("bootstrap=k:1", "clientId=gatehouse", "security.protocol=SASL_SSL")
        .contains("sasl.jaas.config=[hidden]", "ssl.keystore.password=[hidden]")
        .doesNotContain("hunter2", "hunter3", "hunter4");
  }

  @Test
  void withSecurityAddsItsPropertiesAndReplacesAnEarlierSecurity() {
    KafkaSecurity.Scram login =
        new KafkaSecurity.Scram(KafkaSecurity.ScramMechanism.SCRAM_SHA_512, "p", "pw");
    KafkaSettings secured =
        KafkaSettings.of("k:1")
            .with("linger.ms", "1")
            .withSecurity(KafkaSecurity.saslSsl(java.nio.file.Path.of("/ca.pem"), login));

    assertThat(secured.properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsKey("sasl.jaas.config")
        .containsEntry("linger.ms", "1");

    KafkaSettings plain = secured.withSecurity(KafkaSecurity.ssl(java.nio.file.Path.of("/ca.pem")));
    assertThat(plain.properties())
        .containsEntry("security.protocol", "SSL")
        .doesNotContainKeys("sasl.mechanism", "sasl.jaas.config");
  }

  @Test
  void neitherOurToStringNorKafkasOwnConfigLogShowsThePassword() {
    KafkaSecurity.Scram login =
        new KafkaSecurity.Scram(
            KafkaSecurity.ScramMechanism.SCRAM_SHA_256, "gatehouse-proxy", "hunter5-secret");
    KafkaSettings s =
        KafkaSettings.of("k:1")
            .withSecurity(KafkaSecurity.saslSsl(java.nio.file.Path.of("/ca.pem"), login));

    assertThat(s.toString())
        .contains("sasl.jaas.config=[hidden]", "security.protocol=SASL_SSL")
        .doesNotContain("hunter5");
    // What Kafka logs when a client starts ("ProducerConfig values: ..."): Password-typed values.
    Map<String, Object> config = new HashMap<>(KafkaClients.producerConfig(s, Map.of()));
    config.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
    config.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
    var logged = new org.apache.kafka.clients.producer.ProducerConfig(config);
    assertThat(logged.values().get("sasl.jaas.config").toString()).isEqualTo("[hidden]");
  }
}
