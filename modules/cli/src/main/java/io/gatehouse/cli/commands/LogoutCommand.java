package io.gatehouse.cli.commands;

import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.profile.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse logout}: removes the credential from the profile (proxy and CA file stay). */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Forget the credential in the profile.")
public final class LogoutCommand implements Callable<Integer> {
  @Mixin ProxyOptions proxy;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path file = proxy.profilePath();
    if (!Files.exists(file)) {
      spec.commandLine().getOut().println("not logged in (no profile " + file + ")");
    } else {
      Profile p = Profile.read(file);
      p.withToken(Optional.empty()).write(file, "written by gatehouse logout");
      spec.commandLine().getOut().println("logged out: credential removed from " + file);
    }
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
