package io.gatehouse.cli.commands;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import picocli.CommandLine.Command;

/**
 * {@code gatehouse agent -c agent.yaml}: runs an agent until SIGTERM/Ctrl-C, then stops gracefully
 * (drains), or until a proxy asked it to drain and it stopped.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Run an agent from a config file (see infra/examples/agent.yaml).")
public final class AgentCommand extends RunCommand<AgentConfig, Agent> {
  @Override
  String role() {
    return "agent";
  }

  @Override
  AgentConfig load(Path file) {
    return AgentConfig.load(file);
  }

  @Override
  Agent start(AgentConfig parsed) {
    return Agent.start(parsed);
  }

  @Override
  CompletionStage<Void> stopped(Agent agent) {
    // `gatehouse agents drain` makes the agent drain and stop: the process exits then.
    return agent.stopped();
  }

  @Override
  String ready(AgentConfig parsed, Agent agent) {
    // No listening port: the agent dials its tunnel out to the proxy.
    return "agent "
        + agent.id()
        + " dialing its tunnel to proxy "
        + parsed.agent().proxy()
        + " (credentials in "
        + parsed.agent().dataDir().orElse(Path.of(".gatehouse", "agent-" + agent.id()))
        + "), serving "
        + agent.served().size()
        + " resources";
  }
}
