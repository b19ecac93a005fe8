package io.gatehouse.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How every Gatehouse client secures its connections to Kafka: in the clear ({@link
 * Protocol#PLAINTEXT}, for development), over TLS ({@link Protocol#SSL}), or over TLS with a SCRAM
 * login ({@link Protocol#SASL_SSL}, what production uses so ACLs can tell the proxies apart from
 * everyone else). Immutable and consistent when built: TLS always names the CA file the brokers'
 * certificates are checked against, a login comes only with {@code SASL_SSL} and {@code SASL_SSL}
 * always has one.
 *
 * <p>{@link KafkaSettings#withSecurity} turns it into client properties. The password is held here
 * (read once, at configuration time), but {@link #toString()} and {@link Scram#toString()} never
 * show it.
 *
 * @param protocol Kafka's {@code security.protocol}
 * @param caFile PEM file with the CA certificates that signed the brokers' certificates; present
 *     exactly for {@code SSL} and {@code SASL_SSL}
 * @param login the SCRAM user; present exactly for {@code SASL_SSL}
 */
public record KafkaSecurity(Protocol protocol, Optional<Path> caFile, Optional<Scram> login) {

  /** No TLS, no login: what a development broker on loopback takes. */
  public static final KafkaSecurity PLAINTEXT =
      new KafkaSecurity(Protocol.PLAINTEXT, Optional.empty(), Optional.empty());

  /** The client properties {@link KafkaSettings#withSecurity} owns: set or cleared together. */
  static final Set<String> KEYS =
      Set.of(
          "security.protocol",
          "ssl.truststore.type",
          "ssl.truststore.location",
          "sasl.mechanism",
          "sasl.jaas.config");

  public KafkaSecurity {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(login, "login");
    if (protocol == Protocol.PLAINTEXT && caFile.isPresent()) {
      throw new IllegalArgumentException("a CA file needs protocol SSL or SASL_SSL");
    }
    if (protocol != Protocol.PLAINTEXT && caFile.isEmpty()) {
      throw new IllegalArgumentException("protocol " + protocol + " needs a CA file");
    }
    if (protocol == Protocol.SASL_SSL && login.isEmpty()) {
      throw new IllegalArgumentException("protocol SASL_SSL needs a SCRAM login");
    }
    if (protocol != Protocol.SASL_SSL && login.isPresent()) {
      throw new IllegalArgumentException("a SCRAM login needs protocol SASL_SSL");
    }
  }

  /** TLS, brokers checked against {@code caFile}, no login. */
  public static KafkaSecurity ssl(Path caFile) {
    return new KafkaSecurity(Protocol.SSL, Optional.of(caFile), Optional.empty());
  }

  /** TLS, brokers checked against {@code caFile}, logged in as {@code login}. */
  public static KafkaSecurity saslSsl(Path caFile, Scram login) {
    return new KafkaSecurity(Protocol.SASL_SSL, Optional.of(caFile), Optional.of(login));
  }

  /**
   * The Kafka client properties: {@code security.protocol}; with TLS, the CA file as a PEM trust
   * store; with a login, {@code sasl.mechanism} and a {@code ScramLoginModule} JAAS config.
   */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", protocol.name());
    caFile.ifPresent(
        ca -> {
          p.put("ssl.truststore.type", "PEM");
          p.put("ssl.truststore.location", ca.toAbsolutePath().toString());
        });
    login.ifPresent(
        scram -> {
          p.put("sasl.mechanism", scram.mechanism().kafkaName());
          p.put("sasl.jaas.config", scram.jaasConfig());
        });
    return Map.copyOf(p);
  }

  @Override
  public String toString() {
    return "KafkaSecurity["
        + protocol
        + caFile.map(ca -> ", caFile=" + ca).orElse("")
        + login.map(l -> ", login=" + l).orElse("")
        + "]";
  }

  /** Kafka's {@code security.protocol}, the values Gatehouse supports. */
  public enum Protocol {
    PLAINTEXT,
    SSL,
    SASL_SSL
  }

  /** The SASL/SCRAM mechanisms Kafka offers. */
  public enum ScramMechanism {
    SCRAM_SHA_256,
    SCRAM_SHA_512;

    /** The name Kafka uses, e.g. {@code SCRAM-SHA-512}. */
    public String kafkaName() {
      return name().replace('_', '-');
    }

    /** The mechanism Kafka calls {@code name} ({@code SCRAM-SHA-512}), if it is one. */
    public static Optional<ScramMechanism> named(String name) {
      for (ScramMechanism m : values()) {
        if (m.kafkaName().equals(name.toUpperCase(Locale.ROOT))) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A SCRAM user and its password. {@link #toString()} hides the password; messages about it never
   * contain it either.
   *
   * @param mechanism SCRAM-SHA-256 or SCRAM-SHA-512, as the user was created on the brokers
   * @param username the user (the broker's principal is {@code User:<username>})
   * @param password one line of text, not empty
   */
  public record Scram(ScramMechanism mechanism, String username, String password) {
    public Scram {
      Objects.requireNonNull(mechanism, "mechanism");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (username.isBlank() || hasControl(username)) {
        throw new IllegalArgumentException(
            "SCRAM user name '" + username + "' must be non-empty, without control characters");
      }
      if (password.isEmpty() || hasControl(password)) {
        throw new IllegalArgumentException(
            "the password of SCRAM user '"
                + username
                + "' must be one line of text, not empty, without control characters");
      }
    }

    /** The {@code sasl.jaas.config} value; a secret, as it holds the password. */
    String jaasConfig() {
      return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + quoted(username)
          + "\" password=\""
          + quoted(password)
          + "\";";
    }

    private static String quoted(String text) {
      // Kafka's JAAS parser takes backslash escapes inside double quotes.
      return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static boolean hasControl(String text) {
      return text.chars().anyMatch(Character::isISOControl);
    }

    @Override
    public String toString() {
      return "Scram[" + mechanism.kafkaName() + ", username=" + username + ", password=[hidden]]";
    }
  }
}
