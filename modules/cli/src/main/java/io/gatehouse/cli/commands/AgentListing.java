package io.gatehouse.cli.commands;

import java.util.List;

/**
 * What both {@code gatehouse agents} and {@code gatehouse agents ls} list: one path, one set of
 * columns.
 */
abstract class AgentListing extends GenericListCommand {
  @Override
  final String path() {
    return "/v1/agents";
  }

  @Override
  final List<String> columns() {
    return List.of("agent", "zone", "proxies", "address", "healthy", "state", "sessions");
  }
}
