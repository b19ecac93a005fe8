package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.client.ProxyClient;
import io.gatehouse.cli.profile.Profile;
import io.gatehouse.config.ValueParser;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
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
 *
 * <p>{@code gatehouse login --sso [--timeout 5m] [--no-browser]} signs in through the proxy's
 * OpenID Connect provider instead: it listens on 127.0.0.1 ({@link SsoCallback}), prints the URL to
 * open (and opens it with {@code xdg-open} when there is one), and waits for the browser the proxy
 * sends back with a one-time code, which it trades for the credential ({@code POST
 * /v1/login/sso/exchange}) with the PKCE-style verifier whose SHA-256 challenge the URL carried:
 * the credential itself never travels in a URL.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = "Log in and keep the credential in the profile.")
public final class LoginCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  @Mixin ProxyOptions proxy;

  @Option(names = "--user", paramLabel = "NAME", description = "Who logs in (default: $USER).")
  String user;

  @Option(
      names = "--password-stdin",
      description = "Read the password from the first line of standard input (no prompt).")
  boolean passwordStdin;

  @Option(
      names = "--sso",
      description = "Sign in through the proxy's single sign-on (OpenID Connect) in a browser.")
  boolean sso;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description = "With --sso: how long to wait for the browser (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--no-browser",
      description = "With --sso: only print the URL to open, do not start a browser.")
  boolean noBrowser;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (sso) {
      return singleSignOn();
    }
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
    return saved(target.withToken(Optional.of(token)), answer, "");
  }

  /** Writes the logged-in profile and says who is logged in where, until when. */
  private Integer saved(Profile logged, JsonNode whoami, String how) {
    String name = whoami.path("user").asText();
    Path file = proxy.profilePath();
    logged.write(file, "written by gatehouse login" + how + " as " + name);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "logged in to "
            + logged.proxy()
            + " as "
            + name
            + (how.isEmpty() ? "" : " by single sign-on")
            + " (roles "
            + String.join(", ", StatusCommand.roles(whoami))
            + "), until "
            + whoami.path("expiresAt").asText()
            + "; profile "
            + file);
    out.flush();
    return ExitCodes.OK;
  }

  private Integer singleSignOn() {
    if (user != null || passwordStdin) {
      throw new CliException(
          ExitCodes.USER_ERROR, "--sso takes no --user or --password-stdin: the provider says who");
    }
    Duration wait;
    try {
      wait = ValueParser.positiveDuration().parse(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USER_ERROR, "--timeout: " + e.getMessage());
    }
    Profile target = proxy.profileOrNew().withToken(Optional.empty());
    PrintWriter out = spec.commandLine().getOut();
    String verifier = verifier();
    String code;
    try (SsoCallback callback = new SsoCallback()) {
      String base = target.proxy().toString().replaceAll("/+$", "");
      String url =
          base
              + "/v1/login/sso?cli="
              + URLEncoder.encode(callback.url().toString(), StandardCharsets.UTF_8)
              + "&challenge="
              + challenge(verifier);
      out.println("To log in, open this URL in a browser:");
      out.println(url);
      out.flush();
      if (!noBrowser) {
        Browser.open(url);
      }
      code = callback.await(wait);
    }
    String body;
    try {
      body =
          JSON.writeValueAsString(
              JSON.createObjectNode().put("code", code).put("verifier", verifier));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException(ExitCodes.USER_ERROR, "cannot encode the exchange: " + e.getMessage());
    }
    JsonNode answer =
        new ProxyClient(target).post("/v1/login/sso/exchange", "application/json", body);
    String token = answer.path("token").asText(null);
    if (token == null) {
      throw CliException.unreachable("the proxy's exchange answer held no credential", null);
    }
    return saved(target.withToken(Optional.of(token)), answer, " --sso");
  }

  /** A fresh PKCE verifier (RFC 7636): 256 random bits, base64url. */
  private static String verifier() {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /** The S256 challenge of {@code verifier}: what the proxy holds until the exchange. */
  private static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  /** Starts the desktop's browser when {@code xdg-open} is on the path; never fails the login. */
  private static final class Browser {
    static void open(String url) {
      String path = System.getenv("PATH");
      if (path == null) {
        return;
      }
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path opener = Path.of(dir, "xdg-open");
        if (java.nio.file.Files.isExecutable(opener)) {
          try {
            new ProcessBuilder(opener.toString(), url)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
          } catch (java.io.IOException e) {
            // The URL is printed: the user opens it by hand.
          }
          return;
        }
      }
    }
  }
}
