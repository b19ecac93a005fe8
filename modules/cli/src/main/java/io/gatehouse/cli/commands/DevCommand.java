package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.dev.DevStack;
import io.gatehouse.cli.profile.Profile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse dev}: the whole system in one process on an embedded broker, for a first run.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    subcommands = UpstreamsCommand.class,
    description = {
      "Run everything in one process, on loopback: an embedded Kafka broker (KRaft), a proxy,",
      "agents, and demo upstreams (HTTP app 'demo', TCP echo 'echo'). Ctrl-C stops it cleanly.",
      "The proxy speaks TLS with a certificate from the cluster CA in <data-dir>/ca (made once,",
      "kept). The CLI's profile <data-dir>/admin.profile is copied to ~/.gatehouse/profile when",
      "that file is missing or was written by dev mode; a profile of your own is never touched."
    })
public final class DevCommand implements Callable<Integer> {
  @Option(
      names = "--web-port",
      defaultValue = "3080",
      description = "Proxy web port: API, dashboard, apps, tunnels (default: ${DEFAULT-VALUE}).")
  int webPort;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Embedded Kafka port (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--data-dir",
      defaultValue = ".gatehouse",
      description = "Where Kafka, proxy and agents keep data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--agents",
      defaultValue = "2",
      description = "Number of agents (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--demo-ports",
      defaultValue = "3090,3091",
      split = ",",
      paramLabel = "HTTP,TCP",
      description = "Ports of the demo HTTP app and TCP echo (default: ${DEFAULT-VALUE}).")
  int[] demoPorts;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (agents < 1 || agents > 16) {
      throw CliException.user("--agents must be between 1 and 16, got " + agents);
    }
    if (demoPorts.length != 2) {
      throw CliException.user("--demo-ports takes two ports, HTTP,TCP");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DevStack stack;
    try {
      stack =
          DevStack.start(
              new DevStack.Settings(
                  webPort,
                  kafkaPort,
                  dataDir,
                  agents,
                  demoPorts[0],
                  demoPorts[1],
                  Optional.of(Profile.defaultFile())),
              line -> {
                err.println("gatehouse dev: " + line);
                err.flush();
              });
      stack.awaitReady(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      throw new CliException(
          ExitCodes.UNREACHABLE, "dev mode failed to start: " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("gatehouse dev: stopping (agents first) ...");
                  err.flush();
                  stack.close();
                  stopped.countDown();
                },
                "gatehouse-dev-stop"));
    stack.trustLines().forEach(out::println);
    out.println(stack.readyLine());
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }
}
