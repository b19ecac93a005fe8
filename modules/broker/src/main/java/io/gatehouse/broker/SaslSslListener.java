package io.gatehouse.broker;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The one client listener of an {@link EmbeddedKafka} that is secured: TLS from a PEM key store,
 * SCRAM-SHA-512 logins for the given users (written into the cluster's metadata when the data
 * directory is formatted), and ACLs enforced by Kafka's {@code StandardAuthorizer} with nothing
 * allowed that no ACL allows. {@code superUser} is the broker's own principal: the broker logs in
 * as it to itself (inter-broker and controller traffic), and it bypasses ACLs, so tests and
 * operators use it to create ACLs.
 *
 * <p>{@link #toString()} names the files and the users, never a password.
 *
 * @param keyStore PEM file holding the broker's private key (unencrypted PKCS#8) and its
 *     certificate chain; the certificate must name the broker's host (for 127.0.0.1, an IP SAN)
 * @param trustStore PEM file with the CA certificates that signed {@code keyStore}, trusted by the
 *     broker when it connects to itself and by the clients {@link #clientProperties} describes
 * @param users SCRAM-SHA-512 users, name to password; names and passwords may not contain {@code ,
 *     [ ] = "} or control characters (they are passed to {@code kafka-storage format})
 * @param superUser one of {@code users}
 */
public record SaslSslListener(
    Path keyStore, Path trustStore, Map<String, String> users, String superUser) {

  /** The only mechanism the listener offers. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final Pattern PLAIN_TEXT = Pattern.compile("[^,\\[\\]=\"\\\\\\p{Cntrl}\\s]+");

  public SaslSslListener {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(superUser, "superUser");
    users = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(users, "users")));
    for (Map.Entry<String, String> user : users.entrySet()) {
      if (!PLAIN_TEXT.matcher(user.getKey()).matches()) {
        throw new IllegalArgumentException("SCRAM user name '" + user.getKey() + "' is not usable");
      }
      if (user.getValue() == null || !PLAIN_TEXT.matcher(user.getValue()).matches()) {
        // The password itself is never part of a message.
        throw new IllegalArgumentException(
            "the password of SCRAM user '"
                + user.getKey()
                + "' is empty or has a character"
                + " kafka-storage cannot take (, [ ] = \" \\ space or control)");
      }
    }
    if (!users.containsKey(superUser)) {
      throw new IllegalArgumentException(
          "super user '" + superUser + "' must be one of the users " + users.keySet());
    }
  }

  /** The super user's password. */
  String superUserPassword() {
    return users.get(superUser);
  }

  /**
   * The client properties that log in to this listener as {@code user} with {@code password} (which
   * need not be that user's real password: a test of a failed login passes a wrong one): {@code
   * security.protocol}, the PEM trust store, the SCRAM mechanism and its JAAS config.
   */
  public Map<String, String> clientProperties(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_SSL",
        "ssl.truststore.type",
        "PEM",
        "ssl.truststore.location",
        trustStore.toAbsolutePath().toString(),
        "sasl.mechanism",
        MECHANISM,
        "sasl.jaas.config",
        scramJaas(user, password));
  }

  /** {@link #clientProperties(String, String)} with the user's own password. */
  public Map<String, String> clientProperties(String user) {
    String password = users.get(user);
    if (password == null) {
      throw new IllegalArgumentException("no SCRAM user '" + user + "' on this listener");
    }
    return clientProperties(user, password);
  }

  static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + quoted(user)
        + "\" password=\""
        + quoted(password)
        + "\";";
  }

  static String quoted(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public String toString() {
    return "SaslSslListener[keyStore="
        + keyStore
        + ", trustStore="
        + trustStore
        + ", users="
        + users.keySet()
        + ", superUser="
        + superUser
        + "]";
  }
}
