package io.gatehouse.cli.commands;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse agent -c agent.yaml}: runs an agent until SIGTERM/Ctrl-C, then stops gracefully.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Run an agent from a config file (see infra/examples/agent.yaml).")
public final class AgentCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "Agent configuration (YAML).")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    AgentConfig parsed;
    try {
      parsed = AgentConfig.load(config);
    } catch (ConfigException e) {
      throw CliException.user(e.getMessage());
    }
    Agent agent;
    try {
      agent = Agent.start(parsed);
    } catch (RuntimeException e) {
      throw CliException.unreachable("agent failed to start: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "agent "
            + agent.id()
            + " listening on "
            + agent.listenAddress()
            + ", serving "
            + agent.served().size()
            + " resources");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    // Graceful stop on SIGTERM / Ctrl-C: tombstones go out before the process exits.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "gatehouse-agent-stop"));
    stopped.await();
    return ExitCodes.OK;
  }
}
