package io.gatehouse.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaNodeConfigTest {
  @TempDir Path dir;

  @Test
  void aNodeOfThreeGetsTheClusterReplicationAndItsSecuredListener() throws IOException {
    Files.writeString(dir.resolve("node.pem"), "key and chain");
    Files.writeString(dir.resolve("ca.pem"), "ca");
    Files.writeString(dir.resolve("users"), "# SCRAM users\nadmin=s3cret\ngatehouse-proxy=other\n");
    KafkaNodeConfig config =
        KafkaNodeConfig.load(
            write(
                """
                kafka_node:
                  id: 2
                  listen: "127.0.0.1:19102"
                  controllers: ["127.0.0.1:19111", "127.0.0.1:19112", "127.0.0.1:19113"]
                  cluster_id: "MkU3OEVBNTcwNTJENDM2Qg"
                  data_dir: /var/lib/kafka/node-2
                  sasl_ssl: { key_store: node.pem, trust_store: ca.pem, users_file: users, super_user: admin }
                  properties: { "log.retention.hours": "1" }
                """));

    assertThat(config.quorum().nodeId()).isEqualTo(2);
    assertThat(config.quorum().controllers()).hasSize(3);
    assertThat(config.quorum().replicationFactor()).isEqualTo(3);
    assertThat(config.quorum().minInsyncReplicas()).isEqualTo(2);
    assertThat(config.listen().port()).isEqualTo(19102);
    assertThat(config.saslSsl())
        .get()
        .satisfies(
            s -> {
              assertThat(s.users()).containsOnlyKeys("admin", "gatehouse-proxy");
              assertThat(s.keyStore()).isEqualTo(dir.resolve("node.pem"));
              assertThat(s.toString()).doesNotContain("s3cret");
            });
    assertThat(config.properties()).containsEntry("log.retention.hours", "1");
  }

  @Test
  void everyProblemIsReportedAtItsKeyWithoutAPassword() throws IOException {
    Files.writeString(dir.resolve("users"), "admin=s3cret\nbroken line\n");
    Path file =
        write(
            """
            kafka_node:
              id: 4
              listen: "127.0.0.1"
              controllers: ["127.0.0.1:19111", "nowhere"]
              data_dir: /tmp/x
              replication_factor: 2
              min_insync_replicas: 3
              sasl_ssl: { key_store: missing.pem, trust_store: missing.pem, users_file: users, super_user: admin }
              retention: 1h
            """);

    assertThatThrownBy(() -> KafkaNodeConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka_node.listen: expected host:port")
        .hasMessageContaining("kafka_node.controllers: entry 2:")
        .hasMessageContaining("kafka_node.id: must be between 1 and the number of controllers, 2")
        .hasMessageContaining("kafka_node.cluster_id: missing required key")
        .hasMessageContaining(
            "kafka_node.min_insync_replicas: must not exceed replication_factor (2)")
        .hasMessageContaining("kafka_node.sasl_ssl.key_store: cannot read")
        .hasMessageContaining(
            "kafka_node.sasl_ssl.users_file: "
                + dir.resolve("users")
                + " line 2: expected NAME=PASSWORD")
        .hasMessageContaining("kafka_node.retention: unknown key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }

  @Test
  void aMissingSectionIsReported() throws IOException {
    assertThatThrownBy(() -> KafkaNodeConfig.load(write("proxy: {}\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka_node: missing required key");
  }

  private Path write(String yaml) throws IOException {
    return Files.write(dir.resolve("node.yaml"), List.of(yaml));
  }
}
