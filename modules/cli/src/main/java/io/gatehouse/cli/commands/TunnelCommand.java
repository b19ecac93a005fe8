package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.client.ProxyClient;
import io.gatehouse.config.HostPort;
import io.gatehouse.relay.client.TunnelClient;
import io.gatehouse.relay.client.TunnelClient.LocalTunnel;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gatehouse tunnel KIND/NAME --port N}: a local port that leads to the resource. */
@Command(
    name = "tunnel",
    mixinStandardHelpOptions = true,
    description = {
      "Open a local TCP port that leads to a resource through the proxy.",
      "Each local connection is one session, pinned to one agent. Ctrl-C stops it.",
      "Example: gatehouse tunnel db/pg --port 15432 & psql -h 127.0.0.1 -p 15432"
    })
public final class TunnelCommand implements Callable<Integer> {
  @Mixin ProxyOptions proxy;

  @Parameters(index = "0", paramLabel = "KIND/NAME")
  String target;

  @Option(
      names = "--port",
      required = true,
      paramLabel = "N",
      description = "Local port to listen on (0 picks a free one).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "Local address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Target t = Target.resource(target);
    // Fails with exit 1 for an unknown resource and 2 for an unreachable proxy, before listening.
    // The same check verifies the proxy's certificate against the CA file.
    ProxyClient client = proxy.client();
    client.get(t.path());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI base = client.base();
    HostPort proxyAddress = new HostPort(base.getHost(), base.getPort() > 0 ? base.getPort() : 443);
    LocalTunnel listener;
    try {
      listener =
          TunnelClient.listen(
              new HostPort(bind, port),
              proxyAddress,
              proxy.tls(),
              t.kind(),
              t.name(),
              proxy.profile().token().orElse(null),
              Duration.ofSeconds(5),
              reason -> {
                err.println(reason);
                err.flush();
              });
    } catch (IOException e) {
      throw CliException.user("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  listener.close();
                  stopped.countDown();
                },
                "gatehouse-tunnel-stop"));
    out.println(
        "tunnel to "
            + t
            + " listening on "
            + bind
            + ":"
            + listener.localPort()
            + " (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }
}
