package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.testkit.PrometheusText;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code docs/metrics.md} lists exactly the meters a proxy and an agent (one with a resource
 * watcher, so every meter it can have is registered) expose, with their types, labels and
 * processes.
 */
class MeterCatalogueIT {
  @RegisterExtension static final Cluster cluster = new Cluster();

  /** What a scrape shows of one meter. */
  private record Exposed(PrometheusText.Type type, Set<String> labels, Set<String> processes) {}

  @Test
  void catalogueMatchesTheRegisteredMeters() {
    Web web = cluster.web();
    Proxy proxy = cluster.proxy("proxy-catalogue");
    Agent agent =
        cluster.agent(
            "agent-catalogue",
            "app_service:\n  apps: [ { name: web, uri: \"http://127.0.0.1:9\" } ]\n  resources: [ { labels: { \"*\": \"*\" } } ]");
    Map<String, Exposed> exposed = new TreeMap<>();
    collect(exposed, "proxy", web.metrics(proxy.webAddress()));
    collect(exposed, "agent", web.metrics(agent.metricsAddress().orElseThrow()));
    Map<String, MeterCatalogue.Row> catalogue = MeterCatalogue.read();

    assertThat(new TreeSet<>(exposed.keySet()))
        .as("meters missing from docs/metrics.md")
        .isSubsetOf(catalogue.keySet());
    assertThat(new TreeSet<>(catalogue.keySet()))
        .as("rows of docs/metrics.md that neither a proxy nor an agent exposes")
        .isSubsetOf(exposed.keySet());
    catalogue.forEach(
        (name, row) ->
            assertThat(new Exposed(row.type(), row.labels(), row.processes()))
                .as("type, labels and processes of %s in docs/metrics.md", name)
                .isEqualTo(exposed.get(name)));
  }

  private static void collect(Map<String, Exposed> exposed, String process, PrometheusText scrape) {
    scrape.families().values().stream()
        .filter(f -> f.name().startsWith("gatehouse_"))
        .forEach(
            f -> {
              Set<String> labels = new TreeSet<>();
              f.samples().forEach(s -> labels.addAll(s.labels().keySet()));
              labels.remove("le");
              Exposed e =
                  exposed.computeIfAbsent(
                      f.name(), n -> new Exposed(f.type(), labels, new TreeSet<>()));
              assertThat(e.type())
                  .as("type of %s on the proxy and the agent", f.name())
                  .isEqualTo(f.type());
              e.processes().add(process);
            });
  }
}
