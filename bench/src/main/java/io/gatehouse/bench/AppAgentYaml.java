package io.gatehouse.bench;

import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.pki.ClusterCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration text of an agent a driver runs in-process without a proxy: agent {@code id} on
 * the broker at {@code bootstrap}, with the app service enabled and configured by the lines given
 * (static apps, or a resource watcher). Agents need credentials and a proxy to dial: this issues
 * them from a throw-away CA (one per JVM, under the temp directory, removed on exit) and names a
 * loopback port where no proxy listens; these drivers measure what goes to Kafka, not tunnels.
 */
final class AppAgentYaml {
  private static Path root;
  private static ClusterCa ca;

  private AppAgentYaml() {}

  static String of(String bootstrap, String id, String... appServiceLines) {
    Path dataDir = credentials(id);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  id: " + id,
                "  kafka: { bootstrap: \"" + bootstrap + "\" }",
                "  proxy: \"127.0.0.1:1\"",
                "  data_dir: \"" + dataDir + "\"",
                "app_service:",
                "  enabled: true"));
    lines.addAll(List.of(appServiceLines));
    lines.add("");
    return String.join("\n", lines);
  }

  private static synchronized Path credentials(String id) {
    try {
      if (root == null) {
        root = Files.createTempDirectory("gatehouse-bench-agents-");
        Path made = root;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        FileTree.delete(made);
                      } catch (IOException e) {
                        // best effort on the way out
                      }
                    }));
        ca = CaDir.load(root.resolve("ca"));
      }
      Path dataDir = root.resolve(id + "-" + System.nanoTime());
      CaDir.issueAgent(ca, id, dataDir);
      return dataDir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make agent credentials for " + id, e);
    }
  }
}
