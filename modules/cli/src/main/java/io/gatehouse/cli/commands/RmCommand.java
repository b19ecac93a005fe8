package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.events.ResourceKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gatehouse rm KIND/NAME}: deletes a dynamic resource. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a dynamic resource.")
public final class RmCommand implements Callable<Integer> {
  @Mixin ProxyOptions proxy;

  @Parameters(index = "0", paramLabel = "KIND/NAME")
  String target;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String[] parts = target.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw CliException.user("expected KIND/NAME, got '" + target + "'");
    }
    ResourceKind kind =
        ResourceKind.parse(parts[0]).orElseThrow(() -> CliException.user("unknown kind '" + parts[0] + "' (expected app, db, desktop or kube)"));
    proxy.client().delete("/v1/resources/" + kind.word() + "/" + parts[1]);
    spec.commandLine().getOut().println(kind.word() + "/" + parts[1] + " deleted");
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
