package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gatehouse get KIND[/NAME]}: resources of a kind, or one resource with its agents. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Show the resources of a kind, or one resource and its agents.")
public final class GetCommand extends ReadCommand {
  @Parameters(index = "0", paramLabel = "KIND[/NAME]", description = "e.g. app, db/pg.")
  String target;

  @Override
  public Integer call() {
    Target t = Target.kindOrResource(target);
    if (t.name() == null) {
      JsonNode list = proxy.client().get("/v1/resources?kind=" + t.kind().word());
      if (format == Format.json) {
        printJson(list);
      } else {
        printResources(list);
      }
      return ExitCodes.OK;
    }
    JsonNode r = proxy.client().get(t.path());
    if (format == Format.json) {
      printJson(r);
      return ExitCodes.OK;
    }
    out()
        .printf(
            "%s/%s  labels: %s  agents: %s/%s healthy%n",
            text(r, "kind"),
            text(r, "name"),
            labels(r),
            text(r, "healthyAgents"),
            text(r, "totalAgents"));
    Table table = new Table("AGENT", "ADDRESS", "HEALTHY", "TARGET", "ZONE", "ORIGIN", "LAST BEAT");
    for (JsonNode a : r.path("agents")) {
      table.row(
          text(a, "agent"),
          text(a, "address"),
          text(a, "healthy"),
          target(a.path("target")),
          text(a, "zone"),
          text(a, "origin"),
          text(a, "lastBeat"));
    }
    table.print(out());
    return ExitCodes.OK;
  }

  /** {@code unhealthy (Connection refused: …)}; the state alone when the agent gave no reason. */
  private static String target(JsonNode target) {
    String state = text(target, "state");
    String reason = target.path("reason").asText("");
    return reason.isEmpty() || state.equals("-") ? state : state + " (" + reason + ")";
  }
}
