package io.gatehouse.cli.commands;

import io.gatehouse.cli.CliException;
import io.gatehouse.cli.client.ProxyClient;
import io.gatehouse.cli.client.ProxyTrust;
import io.gatehouse.cli.profile.Profile;
import io.gatehouse.cli.profile.ProxyUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * Which proxy a command talks to and how it trusts it. The profile is {@code --profile FILE}, else
 * {@code $GATEHOUSE_PROFILE}, else {@code ~/.gatehouse/profile} when it exists; the proxy URL is
 * {@code --proxy}, else {@code $GATEHOUSE_PROXY}, else the profile's {@code proxy}, else {@value
 * #DEFAULT}; the CA file is {@code --ca-file}, else the profile's {@code ca_file}. Resolved once
 * per command.
 */
public final class ProxyOptions {
  public static final String DEFAULT = "https://localhost:3080";

  @Option(
      names = "--proxy",
      paramLabel = "URL",
      description =
          "Proxy web address, https://… (default: $GATEHOUSE_PROXY, else the profile's proxy,"
              + " else "
              + DEFAULT
              + ").")
  String proxy;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description = "The cluster CA's certificate to trust the proxy by (default: the profile's).")
  Path caFile;

  @Option(
      names = "--profile",
      paramLabel = "FILE",
      description =
          "CLI profile: proxy, ca_file, token (default: $GATEHOUSE_PROFILE, else"
              + " ~/.gatehouse/profile).")
  Path profileFile;

  private Profile resolved;

  /** The profile with the flags and environment applied. */
  public Profile profile() {
    if (resolved == null) {
      resolved = resolve();
    }
    return resolved;
  }

  /**
   * The profile with the flags applied, or, when its file does not exist yet, nothing but the
   * flags: what {@code login} starts from, as it writes that file.
   */
  public Profile profileOrNew() {
    Path file = profilePath();
    return Files.exists(file) ? profile() : applyFlags(Profile.none());
  }

  private Profile resolve() {
    return applyFlags(base());
  }

  private Profile applyFlags(Profile start) {
    Profile p = start;
    String url = firstNonBlank(proxy, System.getenv("GATEHOUSE_PROXY"));
    if (url != null) {
      try {
        p = p.withProxy(ProxyUrl.parse(url));
      } catch (IllegalArgumentException e) {
        throw CliException.user(e.getMessage());
      }
    }
    if (caFile != null) {
      p = p.withCaFile(caFile.toAbsolutePath());
    }
    return p;
  }

  private Profile base() {
    if (profileFile != null) {
      return Profile.read(profileFile);
    }
    String env = System.getenv("GATEHOUSE_PROFILE");
    if (env != null && !env.isBlank()) {
      return Profile.read(Path.of(env));
    }
    Path home = Profile.defaultFile();
    return Files.exists(home) ? Profile.read(home) : Profile.none();
  }

  /**
   * The profile file this command reads and {@code login} writes: {@code --profile}, else {@code
   * $GATEHOUSE_PROFILE}, else {@code ~/.gatehouse/profile} (which may not exist yet).
   */
  public Path profilePath() {
    if (profileFile != null) {
      return profileFile;
    }
    String env = System.getenv("GATEHOUSE_PROFILE");
    return env != null && !env.isBlank() ? Path.of(env) : Profile.defaultFile();
  }

  public String url() {
    return profile().proxy().toString();
  }

  public ProxyClient client() {
    return new ProxyClient(profile());
  }

  /** TLS to the proxy, trusting the profile's CA file. */
  public SSLContext tls() {
    return ProxyTrust.context(profile());
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
