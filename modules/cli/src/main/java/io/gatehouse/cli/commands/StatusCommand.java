package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code gatehouse status}: who the profile's credential logs in as, with which roles, until when.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show who you are logged in as.")
public final class StatusCommand extends ReadCommand {
  @Override
  public Integer call() {
    JsonNode me = proxy.client().get("/v1/whoami");
    if (format == Format.json) {
      printJson(me);
      return ExitCodes.OK;
    }
    PrintWriter out = out();
    out.println("proxy   " + proxy.url());
    out.println("user    " + me.path("user").asText());
    out.println("roles   " + String.join(", ", roles(me)));
    out.println("method  " + me.path("method").asText());
    out.println("expires " + me.path("expiresAt").asText());
    out.flush();
    return ExitCodes.OK;
  }

  static List<String> roles(JsonNode node) {
    List<String> roles = new ArrayList<>();
    node.path("roles").forEach(r -> roles.add(r.asText()));
    return roles;
  }
}
