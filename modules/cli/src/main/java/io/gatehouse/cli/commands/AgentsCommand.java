package io.gatehouse.cli.commands;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code gatehouse agents}. */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description =
        "List agents: the proxies each is connected to, its address, state and health here.")
public final class AgentsCommand extends GenericListCommand {
  @Override
  String path() {
    return "/v1/agents";
  }

  @Override
  List<String> columns() {
    return List.of("agent", "proxies", "address", "healthy", "state");
  }
}
