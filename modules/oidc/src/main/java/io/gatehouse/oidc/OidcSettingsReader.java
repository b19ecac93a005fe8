package io.gatehouse.oidc;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.DnsLabel;
import io.gatehouse.config.ValueParser;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code auth.oidc} into {@link OidcSettings}; see {@link OidcSettings#read}. */
final class OidcSettingsReader {
  /** A secret file larger than this holds something else than a client secret. */
  private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

  private OidcSettingsReader() {}

  static OidcSettings read(ConfigNode node) {
    Optional<URI> issuer = node.required("issuer", OidcSettingsReader::issuer);
    Optional<String> clientId = node.required("client_id", OidcSettingsReader::clientId);
    Optional<String> secret = node.value("client_secret_file", OidcSettingsReader::secretFile);
    List<String> scopes = scopes(node);
    String usernameClaim =
        node.value(
            "username_claim", OidcSettingsReader::claimName, OidcSettings.DEFAULT_USERNAME_CLAIM);
    String rolesClaim =
        node.value("roles_claim", OidcSettingsReader::claimName, OidcSettings.DEFAULT_ROLES_CLAIM);
    Map<String, List<String>> claimRoles = claimRoles(node);
    List<String> defaultRoles = roleNames(node, "default_roles");
    if (issuer.isEmpty() || clientId.isEmpty()) {
      return null;
    }
    return new OidcSettings(
        issuer.get(),
        clientId.get(),
        secret,
        scopes,
        usernameClaim,
        rolesClaim,
        claimRoles,
        defaultRoles);
  }

  private static URI issuer(String text) {
    URI uri = ValueParser.uri("https", "http").parse(text);
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "invalid issuer '" + text + "': an issuer has no query or fragment");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "invalid issuer '" + text + "': an issuer has no user name or password");
    }
    if (uri.getScheme().equalsIgnoreCase("http") && !Loopback.isLoopbackHost(uri.getHost())) {
      throw new IllegalArgumentException(
          "issuer '"
              + text
              + "' must use https: ID tokens and codes would cross the network in the clear"
              + " (http is accepted only on a loopback host such as 127.0.0.1 or localhost)");
    }
    return uri;
  }

  private static String clientId(String text) {
    if (text.isBlank() || text.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("must be a non-empty client id on one line");
    }
    return text;
  }

  /** The file's content, trimmed (a trailing line break is not part of the secret). */
  private static String secretFile(String text) {
    Path file = Path.of(ValueParser.nonBlank().parse(text));
    String secret = new String(read(file), StandardCharsets.UTF_8).strip();
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(file + " holds an empty client secret");
    }
    if (secret.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          file + " must hold the client secret on one line, without control characters");
    }
    return secret;
  }

  private static List<String> scopes(ConfigNode node) {
    if (!node.has("scopes")) {
      return OidcSettings.DEFAULT_SCOPES;
    }
    List<String> scopes = new ArrayList<>();
    List<String> listed = node.strings("scopes");
    for (int i = 0; i < listed.size(); i++) {
      String scope = listed.get(i);
      // RFC 6749 3.3: a scope token is printable ASCII without space, '"' or '\'.
      if (scope.isEmpty()
          || !scope.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
        node.problem(
            "scopes[" + i + "]",
            "invalid scope '" + scope + "': printable ASCII without spaces, quotes or backslashes");
      } else if (!scopes.contains(scope)) {
        scopes.add(scope);
      }
    }
    if (!scopes.contains("openid")) {
      node.problem("scopes", "must include openid: without it the provider sends no ID token");
      return OidcSettings.DEFAULT_SCOPES;
    }
    return scopes;
  }

  private static String claimName(String text) {
    if (text.isBlank() || text.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("must be a non-empty claim name on one line");
    }
    return text;
  }

  private static Map<String, List<String>> claimRoles(ConfigNode node) {
    ConfigNode map = node.object("claim_roles");
    Map<String, List<String>> out = new LinkedHashMap<>();
    // Its keys are claim values, not configuration keys: each is asked for, so none is "unknown".
    for (String value : map.keys()) {
      out.put(value, roleNames(map, value));
    }
    return out;
  }

  /** The role names listed under {@code key}; each must be a role's name (a DNS label). */
  private static List<String> roleNames(ConfigNode node, String key) {
    List<String> out = new ArrayList<>();
    List<String> names = node.strings(key);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!DnsLabel.isValid(name)) {
        node.problem(
            key + "[" + i + "]",
            "invalid role name '"
                + name
                + "': use 1 to 63 lowercase letters, digits and '-', starting and ending with a"
                + " letter or digit");
      } else if (!out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  private static byte[] read(Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException("cannot read " + file + ": it is a directory");
      }
      if (Files.size(file) > MAX_SECRET_FILE_BYTES) {
        throw new IllegalArgumentException(
            "cannot read " + file + ": larger than " + MAX_SECRET_FILE_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }
}
