package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.config.ConfigException;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.proxy.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse proxy -c proxy.yaml}: runs a proxy until SIGTERM/Ctrl-C. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description = "Run a proxy from a config file (see infra/examples/proxy.yaml).")
public final class ProxyCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "Proxy configuration (YAML).")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    ProxyConfig parsed;
    try {
      parsed = ProxyConfig.load(config);
    } catch (ConfigException e) {
      throw CliException.user(e.getMessage());
    }
    Proxy proxy;
    try {
      proxy = Proxy.start(parsed);
    } catch (RuntimeException e) {
      throw CliException.unreachable("proxy failed to start: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "proxy "
            + proxy.id()
            + " serving http://"
            + proxy.webAddress()
            + " (kafka "
            + parsed.kafkaBootstrap()
            + ")");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  stopped.countDown();
                },
                "gatehouse-proxy-stop"));
    stopped.await();
    return ExitCodes.OK;
  }
}
