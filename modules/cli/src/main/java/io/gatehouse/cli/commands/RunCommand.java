package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs a long-lived process (an agent, a proxy) from its config file until SIGTERM or Ctrl-C, then
 * closes it gracefully from a shutdown hook, or until it stops on its own (an agent told to drain),
 * after which the JVM exits and the hook finds it closed. A bad file is a user error (exit 1, the
 * file, key and reason); a process that cannot start is exit 2 with the reason.
 *
 * @param <C> the parsed configuration
 * @param <P> the running process
 */
abstract class RunCommand<C, P extends AutoCloseable> implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The ${COMMAND-NAME}'s configuration (YAML).")
  Path config;

  @Spec CommandSpec spec;

  /** What the process is called in messages and its stop thread's name: "agent", "proxy". */
  abstract String role();

  abstract C load(Path file);

  abstract P start(C parsed);

  /** The one line printed once the process runs. */
  abstract String ready(C parsed, P process);

  /**
   * Completes when the process stopped on its own (an agent that was asked to drain); the command
   * then ends as after SIGTERM. By default never.
   */
  CompletionStage<Void> stopped(P process) {
    return new CompletableFuture<>();
  }

  @Override
  public Integer call() throws InterruptedException {
    C parsed;
    try {
      parsed = load(config);
    } catch (ConfigException e) {
      throw CliException.user(e.getMessage());
    }
    P process;
    try {
      process = start(parsed);
    } catch (RuntimeException e) {
      throw CliException.unreachable(role() + " failed to start: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(ready(parsed, process));
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    // Graceful stop on SIGTERM / Ctrl-C: an agent's tombstones go out before the process exits.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    process.close();
                  } catch (Exception e) {
                    spec.commandLine().getErr().println(role() + ": stopping failed: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "gatehouse-" + role() + "-stop"));
    stopped(process).whenComplete((v, e) -> stopped.countDown());
    stopped.await();
    return ExitCodes.OK;
  }
}
