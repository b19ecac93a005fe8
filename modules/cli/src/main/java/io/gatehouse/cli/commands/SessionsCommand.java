package io.gatehouse.cli.commands;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code gatehouse sessions}. */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    description = "List sessions and the agents they are pinned to.")
public final class SessionsCommand extends GenericListCommand {
  @Override
  String path() {
    return "/v1/sessions";
  }

  @Override
  List<String> columns() {
    // "session" is the short id of the session's key, as /v1/sessions lists it.
    return List.of("session", "kind", "name", "agent", "user");
  }
}
