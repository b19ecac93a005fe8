package io.gatehouse.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration text of an agent a driver runs in-process: agent {@code id} on the broker at
 * {@code bootstrap}, listening on an ephemeral loopback port, with the app service enabled and
 * configured by the lines given (static apps, or a resource watcher).
 */
final class AppAgentYaml {
  private AppAgentYaml() {}

  static String of(String bootstrap, String id, String... appServiceLines) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  id: " + id,
                "  kafka: { bootstrap: \"" + bootstrap + "\" }",
                "  listen: \"127.0.0.1:0\"",
                "app_service:",
                "  enabled: true"));
    lines.addAll(List.of(appServiceLines));
    lines.add("");
    return String.join("\n", lines);
  }
}
