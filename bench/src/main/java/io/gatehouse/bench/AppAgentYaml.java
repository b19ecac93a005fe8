package io.gatehouse.bench;

import io.gatehouse.config.HostPort;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.pki.ClusterCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration text of an agent a driver runs in-process: agent {@code id} dialing the proxy
 * at {@code proxy} (a {@link BenchProxy}), with the app service enabled and configured by the lines
 * given (static apps, or a resource watcher). Agents need credentials: this issues them from a
 * throw-away cluster CA (one per JVM, under the temp directory, removed on exit), the one {@link
 * #caDir} names for the proxy.
 */
final class AppAgentYaml {
  private static Path root;
  private static ClusterCa ca;

  private AppAgentYaml() {}

  static String of(HostPort proxy, String id, String... appServiceLines) {
    Path dataDir = credentials(id);
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  id: " + id,
                "  proxy: \"" + proxy + "\"",
                "  data_dir: \"" + dataDir + "\"",
                "app_service:",
                "  enabled: true"));
    lines.addAll(List.of(appServiceLines));
    lines.add("");
    return String.join("\n", lines);
  }

  /** The cluster CA's directory ({@code proxy.ca.dir} of a {@link BenchProxy}). */
  static synchronized Path caDir() {
    ca();
    return root.resolve("ca");
  }

  private static synchronized Path credentials(String id) {
    Path dataDir = root().resolve(id + "-" + System.nanoTime());
    CaDir.issueAgent(ca(), id, dataDir);
    return dataDir;
  }

  private static synchronized ClusterCa ca() {
    if (ca == null) {
      ca = CaDir.load(root().resolve("ca"));
    }
    return ca;
  }

  private static synchronized Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("gatehouse-bench-agents-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make a directory for bench agents", e);
      }
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
    }
    return root;
  }
}
