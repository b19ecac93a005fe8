package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.client.HttpTunnel;
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
      "Open a local port that leads to a resource through the proxy, with your credential.",
      "Databases, desktops, TCP apps: each local connection is one session, pinned to one agent.",
      "HTTP apps: a local HTTP port (curl http://127.0.0.1:N/). Ctrl-C stops it.",
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

  /** An HTTP app: a local HTTP listener that adds the app's host and the user's credential. */
  private Integer http(ProxyClient client, Target t, String appHost) throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI base = client.base();
    HostPort proxyAddress = new HostPort(base.getHost(), base.getPort() > 0 ? base.getPort() : 443);
    String credential =
        proxy
            .profile()
            .token()
            .orElseThrow(() -> CliException.user("log in first: `gatehouse login`"));
    java.util.Optional<java.nio.file.Path> caFile = proxy.profile().caFile();
    HttpTunnel listener;
    try {
      listener =
          HttpTunnel.listen(
              new HostPort(bind, port),
              proxyAddress,
              caFile,
              appHost,
              credential,
              reason -> {
                err.println(reason);
                err.flush();
              });
    } catch (IOException e) {
      throw CliException.user(e.getMessage());
    }
    return serveUntilStopped(
        listener,
        "tunnel to "
            + t
            + " (HTTP, as "
            + appHost
            + ") listening on http://"
            + bind
            + ":"
            + listener.localPort());
  }

  /** Says where the listener is and keeps it open until Ctrl-C (which closes it). */
  private Integer serveUntilStopped(AutoCloseable listener, String where)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    listener.close();
                  } catch (Exception e) {
                    // Stopping anyway.
                  }
                  stopped.countDown();
                },
                "gatehouse-tunnel-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(where + " (Ctrl-C to stop)");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }

  @Override
  public Integer call() throws InterruptedException {
    Target t = Target.resource(target);
    // Fails with exit 1 for an unknown resource and 2 for an unreachable proxy, before listening.
    // The same check verifies the proxy's certificate against the CA file.
    ProxyClient client = proxy.client();
    com.fasterxml.jackson.databind.JsonNode resource = client.get(t.path());
    if ("http".equals(resource.path("transport").asText())) {
      return http(client, t, resource.path("host").asText());
    }
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
    return serveUntilStopped(
        listener, "tunnel to " + t + " listening on " + bind + ":" + listener.localPort());
  }
}
