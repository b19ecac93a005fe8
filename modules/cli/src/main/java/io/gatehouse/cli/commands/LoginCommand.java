package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.client.ProxyClient;
import io.gatehouse.cli.profile.Profile;
import java.io.PrintWriter;
import java.nio.CharBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse login [--proxy URL] [--user NAME] [--password-stdin]}: logs in with a password
 * and keeps the credential (short-lived, 12 h by default) in the profile, with the proxy URL and CA
 * file, so every later command and {@code curl -H "Authorization: Bearer …"} use it.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = "Log in and keep the credential in the profile.")
public final class LoginCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ProxyOptions proxy;

  @Option(names = "--user", paramLabel = "NAME", description = "Who logs in (default: $USER).")
  String user;

  @Option(
      names = "--password-stdin",
      description = "Read the password from the first line of standard input (no prompt).")
  boolean passwordStdin;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String name = user != null ? user : System.getProperty("user.name");
    // The login goes without the old credential: it may be expired, and it is being replaced.
    Profile target = proxy.profileOrNew().withToken(Optional.empty());
    char[] password = PasswordInput.read(passwordStdin, "password for " + name + ": ");
    String body;
    try {
      body =
          JSON.writeValueAsString(
              JSON.createObjectNode()
                  .put("user", name)
                  .put("password", CharBuffer.wrap(password).toString()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException(ExitCodes.USER_ERROR, "cannot encode the login: " + e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
    JsonNode answer = new ProxyClient(target).post("/v1/login", "application/json", body);
    String token = answer.path("token").asText(null);
    if (token == null) {
      throw CliException.unreachable("the proxy's login answer held no credential", null);
    }
    Path file = proxy.profilePath();
    target.withToken(Optional.of(token)).write(file, "written by gatehouse login as " + name);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "logged in to "
            + target.proxy()
            + " as "
            + name
            + " (roles "
            + String.join(", ", StatusCommand.roles(answer))
            + "), until "
            + answer.path("expiresAt").asText()
            + "; profile "
            + file);
    out.flush();
    return ExitCodes.OK;
  }
}
