package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that reads from the proxy and prints text or JSON. */
abstract class ReadCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Mixin ProxyOptions proxy;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      description = "Output format (default: ${DEFAULT-VALUE}).",
      defaultValue = "text")
  Format format;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  void printJson(JsonNode node) {
    try {
      out().println(JSON.writeValueAsString(node));
      out().flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One row per resource: name, kind, labels, healthy/total agents, and its agents counted by what
   * their checks say of the upstream (as {@code ls} prints).
   */
  void printResources(JsonNode resources) {
    Table table = new Table("NAME", "KIND", "LABELS", "AGENTS", "TARGETS");
    for (JsonNode r : resources) {
      table.row(
          text(r, "name"),
          text(r, "kind"),
          labels(r),
          text(r, "healthyAgents") + "/" + text(r, "totalAgents"),
          targets(r));
    }
    table.print(out());
  }

  /** {@code 2 healthy,1 unhealthy}: the non-zero target-health counts; {@code -} for none. */
  static String targets(JsonNode resource) {
    JsonNode counts = resource.get("targets");
    StringBuilder b = new StringBuilder();
    for (String state : new String[] {"healthy", "unknown", "unhealthy"}) {
      int n = counts == null ? 0 : counts.path(state).asInt(0);
      if (n > 0) {
        b.append(b.length() == 0 ? "" : ",").append(n).append(' ').append(state);
      }
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  /** {@code k=v,k2=v2}, sorted as the proxy sent them. */
  static String labels(JsonNode node) {
    JsonNode labels = node.get("labels");
    if (labels == null || !labels.isObject() || labels.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    Iterator<Map.Entry<String, JsonNode>> it = labels.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append(b.length() == 0 ? "" : ",")
          .append(e.getKey())
          .append('=')
          .append(e.getValue().asText());
    }
    return b.toString();
  }
}
