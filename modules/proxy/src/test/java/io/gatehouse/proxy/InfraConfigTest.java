package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testkit.PrometheusText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus and Grafana files of {@code infra/} use the meters {@code docs/metrics.md} lists.
 */
class InfraConfigTest {
  private static final Pattern METER = Pattern.compile("gatehouse_[a-z0-9_]+");
  private static final List<String> HISTOGRAM_SERIES = List.of("_bucket", "_count", "_sum");

  @Test
  void grafanaDashboardQueriesOnlyCataloguedMetersThroughItsDataSourceInput() throws IOException {
    JsonObject dashboard =
        new JsonObject(Files.readString(MeterCatalogue.repoFile("infra/grafana/gatehouse.json")));
    Map<String, MeterCatalogue.Row> catalogue = MeterCatalogue.read();

    assertThat(dashboard.getJsonArray("__inputs").getJsonObject(0).getString("name"))
        .isEqualTo("DS_PROMETHEUS");
    Set<String> used = new TreeSet<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      if ("row".equals(panel.getString("type"))) {
        continue;
      }
      assertThat(panel.getJsonObject("datasource").getString("uid"))
          .as("data source of %s", panel.getString("title"))
          .isEqualTo("${DS_PROMETHEUS}");
      JsonArray targets = panel.getJsonArray("targets");
      assertThat(targets).as("queries of %s", panel.getString("title")).isNotEmpty();
      for (Object t : targets) {
        Matcher m = METER.matcher(((JsonObject) t).getString("expr"));
        while (m.find()) {
          used.add(meter(m.group(), catalogue));
        }
      }
    }
    assertThat(used).as("meters the dashboard queries").isNotEmpty().isSubsetOf(catalogue.keySet());
  }

  @Test
  void prometheusConfigScrapesTheProxyAndAgents() throws IOException {
    Map<String, Object> config =
        new Yaml()
            .load(Files.readString(MeterCatalogue.repoFile("infra/prometheus/prometheus.yml")));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
    assertThat(jobs)
        .extracting(j -> j.get("job_name"))
        .contains("gatehouse-proxy", "gatehouse-agent");
    assertThat(jobs).allSatisfy(j -> assertThat(j.get("metrics_path")).isEqualTo("/metrics"));
    assertThat(jobs.get(0).get("static_configs").toString()).contains("127.0.0.1:3080");
  }

  /**
   * The catalogued name of a series: a histogram's {@code _bucket}, {@code _count}, {@code _sum}
   * are its own.
   */
  private static String meter(String series, Map<String, MeterCatalogue.Row> catalogue) {
    for (String suffix : HISTOGRAM_SERIES) {
      if (series.endsWith(suffix)) {
        MeterCatalogue.Row row =
            catalogue.get(series.substring(0, series.length() - suffix.length()));
        if (row != null && row.type() == PrometheusText.Type.HISTOGRAM) {
          return row.name();
        }
      }
    }
    return series;
  }
}
