package io.gatehouse.cli.profile;

import io.gatehouse.cli.CliException;
import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * A CLI profile: a small YAML file (mode 0600) that says where the proxy is and how to trust it.
 *
 * <pre>{@code
 * proxy: https://gatehouse.example.com:3080   # the proxy's URL; https only
 * ca_file: /etc/gatehouse/ca.crt              # the cluster CA the proxy's certificate must chain to
 * token: …                                    # optional: sent as Authorization: Bearer …
 * }</pre>
 *
 * <p>A relative {@code ca_file} is taken relative to the profile's own directory, so a profile and
 * its CA file can move together. Reading validates every key once and fails with the file, the key
 * and the reason; unknown keys are refused. The token never appears in a message or in {@link
 * #toString()}. Immutable.
 *
 * @param source the file it was read from, or a description for a profile built in code
 * @param proxy the proxy's base URL, {@code https://host[:port]}
 * @param caFile the cluster CA's certificate (PEM) the proxy is trusted by, if set
 * @param token the bearer credential, if set
 */
public record Profile(String source, URI proxy, Optional<Path> caFile, Optional<String> token) {
  /** The proxy when nothing says otherwise: dev mode's, on this machine. */
  public static final URI DEFAULT_PROXY = URI.create("https://localhost:3080");

  private static final String NONE = "no profile";

  /** The profile a user has when nothing names another: {@code ~/.gatehouse/profile}. */
  public static Path defaultFile() {
    return Path.of(System.getProperty("user.home"), ".gatehouse", "profile");
  }

  public Profile {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(proxy, "proxy");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(token, "token");
  }

  /** No file: the default proxy, no CA file, no token. */
  public static Profile none() {
    return new Profile(NONE, DEFAULT_PROXY, Optional.empty(), Optional.empty());
  }

  /**
   * Reads and validates the profile in {@code file}.
   *
   * @throws CliException (exit 1) naming the file, the key and the reason
   */
  public static Profile read(Path file) {
    if (!Files.exists(file)) {
      throw CliException.user("profile " + file + ": no such file");
    }
    try {
      return read(ConfigDocument.load(file), file.toAbsolutePath().getParent());
    } catch (ConfigException e) {
      throw CliException.user("bad profile " + e.getMessage().replace("\n", "; "));
    }
  }

  /** Parses profile text; a relative {@code ca_file} is resolved against {@code dir}. */
  public static Profile parse(String yaml, String source, Path dir) {
    try {
      return read(ConfigDocument.parse(yaml, source), dir);
    } catch (ConfigException e) {
      throw CliException.user("bad profile " + e.getMessage().replace("\n", "; "));
    }
  }

  private static Profile read(ConfigDocument doc, Path dir) {
    ConfigNode root = doc.root();
    URI proxy = root.value("proxy", ProxyUrl::parse, DEFAULT_PROXY);
    Optional<Path> caFile =
        root.value("ca_file", Profile::nonBlank).map(Path::of).map(p -> dir.resolve(p).normalize());
    // A refused token is reported without its text.
    Optional<String> token = root.value("token", Profile::nonBlank);
    doc.requireValid();
    return new Profile(doc.source(), proxy, caFile, token);
  }

  private static String nonBlank(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return text.strip();
  }

  /** This profile with the proxy URL replaced. */
  public Profile withProxy(URI url) {
    return new Profile(source, url, caFile, token);
  }

  /** This profile with its credential replaced ({@code gatehouse login}, {@code logout}). */
  public Profile withToken(Optional<String> newToken) {
    return new Profile(source, proxy, caFile, newToken);
  }

  /** This profile with the CA file replaced by {@code --ca-file}; messages say so. */
  public Profile withCaFile(Path file) {
    return new Profile(
        source.equals(NONE) ? "--ca-file" : source + " and --ca-file",
        proxy,
        Optional.of(file),
        token);
  }

  /** The profile as YAML, led by {@code comment} lines (each gets a {@code #}), paths absolute. */
  public String yaml(String comment) {
    StringBuilder b = new StringBuilder();
    comment.lines().forEach(line -> b.append("# ").append(line).append('\n'));
    b.append("proxy: ").append(quote(proxy.toString())).append('\n');
    caFile.ifPresent(
        f -> b.append("ca_file: ").append(quote(f.toAbsolutePath().toString())).append('\n'));
    token.ifPresent(t -> b.append("token: ").append(quote(t)).append('\n'));
    return b.toString();
  }

  /** A YAML double-quoted scalar. */
  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * Writes {@link #yaml} to {@code file} with mode 0600, whole: a reader never sees half of it.
   *
   * @throws CliException naming the file when it cannot be written
   */
  public void write(Path file, String comment) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path partial =
          Files.createTempFile(
              dir,
              "." + file.getFileName(),
              ".partial",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(partial, yaml(comment), StandardCharsets.UTF_8);
        Files.move(
            partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      throw CliException.user("cannot write the profile " + file + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "Profile["
        + source
        + ", proxy="
        + proxy
        + ", ca_file="
        + caFile.map(Path::toString).orElse("-")
        + ", token="
        + (token.isPresent() ? "redacted" : "-")
        + "]";
  }
}
