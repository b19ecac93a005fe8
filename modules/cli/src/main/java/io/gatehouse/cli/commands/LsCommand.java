package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gatehouse ls [apps|dbs|desktops|kube]}: one row per resource. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "List resources, one row per kind/name, with healthy/total agents.")
public final class LsCommand extends ReadCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "KIND",
      description = "apps, dbs, desktops or kube (default: all).")
  String kind;

  @Override
  public Integer call() {
    String path = "/v1/resources";
    if (kind != null) {
      path += "?kind=" + Target.kind(kind).word();
    }
    JsonNode resources = proxy.client().get(path);
    if (format == Format.json) {
      printJson(resources);
      return ExitCodes.OK;
    }
    printResources(resources);
    return ExitCodes.OK;
  }
}
