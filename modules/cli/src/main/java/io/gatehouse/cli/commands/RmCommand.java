package io.gatehouse.cli.commands;

import io.gatehouse.cli.ExitCodes;
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
    Target t = Target.resource(target);
    proxy.client().delete(t.path());
    spec.commandLine().getOut().println(t + " deleted");
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
