package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.profile.Profile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse logout}: asks the proxy to revoke the profile's credential on every proxy
 * ({@code POST /v1/logout}), then removes it from the profile either way (proxy and CA file stay),
 * saying whether the proxy revoked it. A credential the proxy could not revoke stays valid until it
 * expires, for whoever holds a copy.
 */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Revoke the profile's credential on the proxy and remove it from the profile.")
public final class LogoutCommand implements Callable<Integer> {
  @Mixin ProxyOptions proxy;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path file = proxy.profilePath();
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.exists(file)) {
      out.println("not logged in (no profile " + file + ")");
    } else {
      Profile p = proxy.profile();
      if (p.token().isEmpty()) {
        out.println("not logged in (no credential in " + file + ")");
      } else {
        out.println(revoke());
        Profile.read(file).withToken(Optional.empty()).write(file, "written by gatehouse logout");
        out.println("credential removed from " + file);
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** What the proxy said to the logout, as a line for the user. */
  private String revoke() {
    try {
      JsonNode answer = proxy.client().post("/v1/logout", "application/json", "{}");
      if (answer.hasNonNull("revoked")) {
        return "logged out: the credential is revoked on every proxy of "
            + proxy.url()
            + " (it would have expired at "
            + answer.get("expiresAt").asText()
            + ")";
      }
      return "logged out: the proxy at "
          + proxy.url()
          + " no longer accepts the credential (expired or revoked already)";
    } catch (CliException e) {
      return "warning: the proxy did not revoke the credential ("
          + e.getMessage()
          + "): it stays valid until it expires";
    }
  }
}
