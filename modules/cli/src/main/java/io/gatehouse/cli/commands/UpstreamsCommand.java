package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.dev.EchoHttpServer;
import io.gatehouse.cli.dev.EchoTcpServer;
import io.gatehouse.lifecycle.Closer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code gatehouse dev upstreams}: dev mode's demo upstreams alone, in their own process, for
 * agents that run on their own (as {@code infra/local-cluster} starts them).
 */
@Command(
    name = "upstreams",
    mixinStandardHelpOptions = true,
    description = {
      "Run only dev mode's demo upstreams on 127.0.0.1, until SIGTERM/Ctrl-C:",
      "the HTTP echo app (demo) and the TCP echo (echo)."
    })
public final class UpstreamsCommand implements Callable<Integer> {
  @ParentCommand DevCommand dev;

  @Option(
      names = "--ports",
      defaultValue = "3090,3091",
      split = ",",
      paramLabel = "HTTP,TCP",
      description = "Ports of the HTTP echo and the TCP echo (default: ${DEFAULT-VALUE}).")
  int[] ports;

  @Override
  public Integer call() throws InterruptedException {
    if (ports.length != 2) {
      throw CliException.user("--ports takes two ports, HTTP,TCP");
    }
    Closer closer = new Closer();
    EchoHttpServer http;
    EchoTcpServer tcp;
    try {
      http = closer.register(EchoHttpServer.start(ports[0]));
      tcp = closer.register(EchoTcpServer.start(ports[1]));
    } catch (IOException e) {
      closer.closeAll();
      throw CliException.unreachable(
          "cannot start the demo upstreams on 127.0.0.1:"
              + ports[0]
              + "/"
              + ports[1]
              + ": "
              + e.getMessage(),
          e);
    }
    PrintWriter out = dev.spec.commandLine().getOut();
    out.println(
        "demo upstreams serving http://127.0.0.1:"
            + http.port()
            + " (HTTP echo) and tcp://127.0.0.1:"
            + tcp.port()
            + " (TCP echo)");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closer.closeAll();
                  stopped.countDown();
                },
                "gatehouse-upstreams-stop"));
    stopped.await();
    return ExitCodes.OK;
  }
}
