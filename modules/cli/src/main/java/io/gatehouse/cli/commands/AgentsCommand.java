package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.ExitCodes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code gatehouse agents} (the same as {@code gatehouse agents ls}): the agents, the proxies each
 * is connected to, its state, and while it drains the sessions it still has; {@code gatehouse
 * agents drain ID} asks an agent to drain and stop.
 */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description =
        "List agents: the proxies each is connected to, its address, state and health here, and"
            + " the sessions a draining agent still has.",
    subcommands = {AgentsCommand.Ls.class, AgentsCommand.Drain.class})
public final class AgentsCommand extends AgentListing {
  /** {@code gatehouse agents ls}. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description =
          "List agents: state (serving, draining), the sessions a draining agent still has.")
  static final class Ls extends AgentListing {}

  /** {@code gatehouse agents drain ID}. */
  @Command(
      name = "drain",
      mixinStandardHelpOptions = true,
      description =
          "Drain an agent: it takes no new sessions (every proxy sees it within a second), lets"
              + " its open sessions finish (at most its drain_timeout), then says goodbye and"
              + " exits. Needs 'update' on 'agents'.")
  static final class Drain extends ReadCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The agent's id.")
    String id;

    @Override
    public Integer call() {
      JsonNode answer =
          proxy
              .client()
              .post(
                  "/v1/agents/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/drain",
                  "application/json",
                  "");
      if (format == io.gatehouse.cli.output.Format.json) {
        printJson(answer);
        return ExitCodes.OK;
      }
      JsonNode sessions = answer.get("sessions");
      out()
          .println(
              "stopped".equals(text(answer, "state"))
                  ? "agent " + id + " drained and stopped"
                  : "agent "
                      + id
                      + " is draining"
                      + (sessions == null ? "" : ": " + sessions.asInt() + " sessions open")
                      + "; `gatehouse agents ls` shows it until it stops");
      out().flush();
      return ExitCodes.OK;
    }
  }
}
