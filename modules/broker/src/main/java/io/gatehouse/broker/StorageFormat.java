package io.gatehouse.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Formats a KRaft log directory once, the way {@code kafka-storage.sh format} does: {@code
 * --standalone} with a new cluster id for a node alone, or with the quorum's cluster id for a node
 * of a static quorum (whose voters are in the broker properties).
 */
final class StorageFormat {

  private StorageFormat() {}

  /** True when {@code logDir} already holds a formatted node (its {@code meta.properties}). */
  static boolean isFormatted(Path logDir) {
    return Files.isRegularFile(logDir.resolve("meta.properties"));
  }

  /**
   * Formats {@code logDir} for a new single-node cluster, or for a node of {@code quorum}, unless
   * it is formatted already, so a persistent directory keeps its cluster id, topics and records
   * across restarts. {@code scramUsers} (name to password) get SCRAM-SHA-512 credentials in the new
   * cluster's metadata ({@code --add-scram}); a directory formatted earlier keeps the users it was
   * formatted with.
   */
  static void formatIfNeeded(
      Path logDir,
      Properties brokerProps,
      Optional<KafkaQuorum> quorum,
      Map<String, String> scramUsers) {
    if (isFormatted(logDir)) {
      return;
    }
    Path configFile = null;
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try {
      Files.createDirectories(logDir);
      configFile = Files.createTempFile("gatehouse-kafka-format-", ".properties");
      try (OutputStream out = Files.newOutputStream(configFile)) {
        brokerProps.store(out, "written by EmbeddedKafka to format " + logDir);
      }
      List<String> args =
          new ArrayList<>(
              List.of(
                  "format",
                  "-t",
                  quorum.map(KafkaQuorum::clusterId).orElseGet(() -> Uuid.randomUuid().toString()),
                  "-c",
                  configFile.toString()));
      if (quorum.isEmpty()) {
        args.add("--standalone");
      }
      scramUsers.forEach(
          (name, password) -> {
            args.add("--add-scram");
            args.add(SaslSslListener.MECHANISM + "=[name=" + name + ",password=" + password + "]");
          });
      int exitCode;
      // StorageTool reports bad input by throwing (its main() turns that into exit code 1).
      try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        exitCode = StorageTool.execute(args.toArray(String[]::new), print);
      }
      if (exitCode != 0) {
        throw new EmbeddedKafkaException(
            "Formatting Kafka log directory "
                + logDir
                + " failed with exit code "
                + exitCode
                + ": "
                + output.toString(StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new EmbeddedKafkaException("Cannot prepare Kafka log directory " + logDir, e);
    } catch (RuntimeException e) {
      if (e instanceof EmbeddedKafkaException) {
        throw e;
      }
      throw new EmbeddedKafkaException(
          "Formatting Kafka log directory " + logDir + " failed: " + e.getMessage(), e);
    } finally {
      deleteQuietly(configFile);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // A leftover temp file of a few hundred bytes is not worth failing the start for.
    }
  }
}
