package io.gatehouse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the text of a scalar into a value, or explains why it cannot. The factories here are the
 * validators shared by every Gatehouse configuration file; {@link ConfigNode#value} reports a
 * refusal as a problem at the key's path.
 *
 * @param <T> the parsed type
 */
@FunctionalInterface
public interface ValueParser<T> {
  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException whose message is the reason, shown to the user after the file
   *     and key path
   */
  T parse(String text);

  /** Any text, unchanged. */
  static ValueParser<String> text() {
    return t -> t;
  }

  /** Any text that is not blank. */
  static ValueParser<String> nonBlank() {
    return t -> {
      if (t.isBlank()) {
        throw new IllegalArgumentException("must not be empty");
      }
      return t;
    };
  }

  /** A DNS-label style name; see {@link DnsLabel}. */
  static ValueParser<String> dnsLabel() {
    return DnsLabel::check;
  }

  /** {@code host:port}, port 1-65535. */
  static ValueParser<HostPort> hostPort() {
    return t -> {
      HostPort hp = HostPort.parse(t);
      if (hp.port() == 0) {
        throw new IllegalArgumentException("port 0 is not allowed here in '" + t + "'");
      }
      return hp;
    };
  }

  /** {@code host:port}, where port 0 means "any free port" (listen addresses). */
  static ValueParser<HostPort> bindAddress() {
    return HostPort::parse;
  }

  /** A comma-separated list of {@code host:port}, e.g. Kafka's bootstrap servers. */
  static ValueParser<List<HostPort>> hostPorts() {
    return t -> {
      List<String> parts = List.of(t.split(",", -1));
      return parts.stream().map(String::strip).map(p -> hostPort().parse(p)).toList();
    };
  }

  /** A duration such as {@code 500ms}, {@code 1s}, {@code 3m}; see {@link Durations}. */
  static ValueParser<Duration> duration() {
    return Durations::parse;
  }

  /** A duration longer than zero. */
  static ValueParser<Duration> positiveDuration() {
    return t -> {
      Duration d = Durations.parse(t);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("duration must be longer than zero, got '" + t + "'");
      }
      return d;
    };
  }

  /**
   * An absolute URI with one of the given schemes and a host, e.g. {@code uri("http", "https")}.
   * Schemes compare case-insensitively; the port, when present, must be 1-65535.
   */
  static ValueParser<URI> uri(String... schemes) {
    Set<String> allowed = Set.of(schemes);
    String expected = String.join(", ", List.of(schemes));
    return t -> {
      URI uri;
      try {
        uri = new URI(t.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("invalid URI '" + t + "': " + e.getReason());
      }
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null || !allowed.contains(scheme)) {
        throw new IllegalArgumentException(
            "invalid URI '" + t + "': scheme must be one of " + expected);
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException("invalid URI '" + t + "': missing host");
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw new IllegalArgumentException("invalid URI '" + t + "': port out of range 1-65535");
      }
      return uri;
    };
  }

  /** One of the given words, compared exactly. */
  static ValueParser<String> oneOf(String... words) {
    Set<String> allowed = Set.of(words);
    return t -> {
      if (!allowed.contains(t)) {
        throw new IllegalArgumentException(
            "'" + t + "' is not one of " + String.join(", ", List.of(words)));
      }
      return t;
    };
  }

  /** A Java regular expression. */
  static ValueParser<Pattern> regex() {
    return t -> {
      try {
        return Pattern.compile(t);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression '" + t + "': " + e.getDescription());
      }
    };
  }
}
