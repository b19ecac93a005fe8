package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.tunnel.TunnelListener;
import io.gatehouse.events.ResourceKind;
import java.io.IOException;
import java.io.PrintWriter;
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

  @Option(names = "--port", required = true, paramLabel = "N", description = "Local port to listen on (0 picks a free one).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Local address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    String[] parts = target.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw CliException.user("expected KIND/NAME, got '" + target + "'");
    }
    ResourceKind kind =
        ResourceKind.parse(parts[0]).orElseThrow(() -> CliException.user("unknown kind '" + parts[0] + "' (expected app, db, desktop or kube)"));
    // Fails with exit 1 for an unknown resource and 2 for an unreachable proxy, before listening.
    proxy.client().get("/v1/resources/" + kind.word() + "/" + parts[1]);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TunnelListener listener;
    try {
      listener = TunnelListener.open(proxy.client().base(), kind.word(), parts[1], bind, port, line -> {
        err.println(line);
        err.flush();
      });
    } catch (IOException e) {
      throw CliException.user("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      listener.close();
      stopped.countDown();
    }, "gatehouse-tunnel-stop"));
    out.println("tunnel to " + kind.word() + "/" + parts[1] + " listening on " + bind + ":" + listener.port() + " (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }
}
