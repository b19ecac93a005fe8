package io.gatehouse.proxy.config;

import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.ValueParser;
import io.gatehouse.kafka.KafkaSecurity;
import io.gatehouse.kafka.KafkaSecurity.Protocol;
import io.gatehouse.kafka.KafkaSecurity.Scram;
import io.gatehouse.kafka.KafkaSecurity.ScramMechanism;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Reads {@code proxy.kafka.security} into a {@link KafkaSecurity}, recording every problem at its
 * key: a protocol that needs the CA file without one, a login without {@code SASL_SSL} (or {@code
 * SASL_SSL} without a login), both or neither of the password's sources, a password file or
 * variable that cannot be read. The password is read here, once; no problem ever quotes it.
 */
final class KafkaSecurityReader {
  static final ScramMechanism DEFAULT_MECHANISM = ScramMechanism.SCRAM_SHA_512;

  /** A CA file larger than this is not a PEM bundle of a few certificates. */
  private static final long MAX_CA_FILE_BYTES = 1024 * 1024;

  private KafkaSecurityReader() {}

  /**
   * The security under {@code kafka.security}, or {@link KafkaSecurity#PLAINTEXT} when it is
   * missing, or when a problem was recorded (the document then fails as a whole).
   *
   * @param env the process environment, for {@code password_env}
   */
  static KafkaSecurity read(ConfigNode kafka, UnaryOperator<String> env) {
    ConfigNode security = kafka.object("security");
    Protocol protocol =
        security
            .value(
                "protocol",
                text ->
                    Protocol.valueOf(ValueParser.oneOf("PLAINTEXT", "SSL", "SASL_SSL").parse(text)))
            .orElse(Protocol.PLAINTEXT);
    boolean tls = protocol != Protocol.PLAINTEXT;
    Optional<Path> ca = security.value("ca_file", KafkaSecurityReader::caFile);
    if (tls && !security.has("ca_file")) {
      security.problem(
          "ca_file",
          "missing required key: protocol "
              + protocol
              + " needs the PEM file of the CA that signed the brokers' certificates");
    }
    if (!tls && security.has("ca_file")) {
      security.problem("ca_file", "only used with protocol SSL or SASL_SSL");
    }

    ConfigNode sasl = security.object("sasl");
    Optional<Scram> login = sasl.isPresent() ? scram(sasl, env) : Optional.empty();
    if (sasl.isPresent() && protocol != Protocol.SASL_SSL) {
      security.problem(
          "sasl",
          "needs protocol SASL_SSL (got " + protocol + "): a login is only sent inside TLS");
    }
    if (protocol == Protocol.SASL_SSL && !sasl.isPresent()) {
      security.problem(
          "sasl", "missing required key: protocol SASL_SSL needs a username and a password");
    }
    try {
      return new KafkaSecurity(protocol, ca, login);
    } catch (IllegalArgumentException inconsistent) {
      // Already recorded above at its key; the document fails with those problems.
      return KafkaSecurity.PLAINTEXT;
    }
  }

  private static Optional<Scram> scram(ConfigNode sasl, UnaryOperator<String> env) {
    ScramMechanism mechanism =
        sasl.value("mechanism", KafkaSecurityReader::mechanism).orElse(DEFAULT_MECHANISM);
    Optional<String> username = sasl.required("username", KafkaSecurityReader::username);
    boolean fromFile = sasl.has("password_file");
    boolean fromEnv = sasl.has("password_env");
    Optional<String> password = Optional.empty();
    if (fromFile && fromEnv) {
      sasl.problem("password_file and password_env are both set: give exactly one");
    } else if (!fromFile && !fromEnv) {
      sasl.problem("password_file", "missing required key: give password_file or password_env");
    } else if (fromFile) {
      password = sasl.value("password_file", KafkaSecurityReader::passwordFile);
    } else {
      password = sasl.value("password_env", name -> passwordEnv(name, env));
    }
    if (username.isEmpty() || password.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Scram(mechanism, username.get(), password.get()));
  }

  private static ScramMechanism mechanism(String text) {
    return ScramMechanism.named(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'" + text + "' is not one of SCRAM-SHA-256, SCRAM-SHA-512"));
  }

  private static String username(String text) {
    if (text.isBlank() || text.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("must be a non-empty user name on one line");
    }
    return text;
  }

  private static Path caFile(String text) {
    Path file = Path.of(ValueParser.nonBlank().parse(text));
    String pem = new String(read(file, MAX_CA_FILE_BYTES), StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return file;
  }

  /** The file's first line; a trailing line break (as {@code echo} writes) is not part of it. */
  private static String passwordFile(String text) {
    Path file = Path.of(ValueParser.nonBlank().parse(text));
    String content = new String(read(file, 64 * 1024), StandardCharsets.UTF_8);
    return password(content.replaceFirst("\\r?\\n$", ""), file.toString());
  }

  private static String passwordEnv(String text, UnaryOperator<String> env) {
    String name = ValueParser.nonBlank().parse(text);
    String value = env.apply(name);
    if (value == null) {
      throw new IllegalArgumentException("environment variable " + name + " is not set");
    }
    return password(value, "environment variable " + name);
  }

  /** Never quotes the password: only says what is wrong with it. */
  private static String password(String password, String where) {
    if (password.isEmpty()) {
      throw new IllegalArgumentException(where + " holds an empty password");
    }
    if (password.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          where + " must hold the password on one line, without control characters");
    }
    return password;
  }

  private static byte[] read(Path file, long maxBytes) {
    try {
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException("cannot read " + file + ": it is a directory");
      }
      if (Files.size(file) > maxBytes) {
        throw new IllegalArgumentException(
            "cannot read " + file + ": larger than " + maxBytes + " bytes");
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
