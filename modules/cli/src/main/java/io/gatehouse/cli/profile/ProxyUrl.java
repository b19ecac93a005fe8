package io.gatehouse.cli.profile;

import java.net.URI;
import java.net.URISyntaxException;

/** The one rule for a proxy URL, wherever it comes from: {@code https://host[:port]}. */
public final class ProxyUrl {
  private ProxyUrl() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with the reason, for a config problem or a user error
   */
  public static URI parse(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "invalid proxy URL '" + text + "' (expected e.g. https://localhost:3080)");
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "invalid proxy URL '" + text + "' (expected e.g. https://localhost:3080)");
    }
    if (!uri.getScheme().equals("https")) {
      throw new IllegalArgumentException(
          "proxy URL '" + text + "' must start with https:// (the proxy's port speaks TLS only)");
    }
    return uri;
  }
}
