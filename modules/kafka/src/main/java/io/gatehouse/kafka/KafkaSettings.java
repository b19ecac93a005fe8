package io.gatehouse.kafka;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How to reach one Kafka cluster, validated when built: the bootstrap servers, the client id that
 * names this process's connections in the broker's logs and quotas, and extra client properties
 * (reconnect bounds, and the {@link KafkaSecurity} every client of one process shares: {@link
 * #withSecurity}). It is immutable; the {@code with...} methods return a copy.
 *
 * <p>The properties never set what {@link KafkaClients} owns (the bootstrap, the client id and the
 * serializers), and {@link #toString()} never prints the value of a property that may hold a secret
 * (a password, a key, a JAAS config or a token), so a settings object can be logged.
 *
 * @param bootstrap comma-separated {@code host:port} list
 * @param clientId the {@code client.id} of the clients built from these settings
 * @param properties extra Kafka client properties; they take precedence over every default
 */
public record KafkaSettings(String bootstrap, String clientId, Map<String, String> properties) {
  /** The client id of settings made by {@link #of(String)}. */
  public static final String DEFAULT_CLIENT_ID = "gatehouse";

  /** Keys the settings' own fields or the factory set; an extra property may not change them. */
  private static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "client.id",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer");

  private static final Pattern SERVER = Pattern.compile(".*\\S:(\\d{1,5})");
  private static final Pattern SECRET =
      Pattern.compile(".*(password|secret|jaas|token|credential|\\.key$).*");

  public KafkaSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("Kafka bootstrap must name at least one host:port");
    }
    for (String server : bootstrap.split(",", -1)) {
      String s = server.strip();
      Matcher m = SERVER.matcher(s);
      if (!m.matches()
          || Integer.parseInt(m.group(1)) < 1
          || Integer.parseInt(m.group(1)) > 65535) {
        throw new IllegalArgumentException(
            "Kafka bootstrap '" + bootstrap + "' has '" + s + "', which is not host:port");
      }
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("Kafka client id must not be blank");
    }
    properties =
        Collections.unmodifiableMap(new TreeMap<>(properties == null ? Map.of() : properties));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (OWNED.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "Kafka property '" + e.getKey() + "' is set by Gatehouse and cannot be overridden");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("Kafka property '" + e.getKey() + "' has no value");
      }
    }
  }

  /** Settings for {@code bootstrap} with the default client id and no extra properties. */
  public static KafkaSettings of(String bootstrap) {
    return new KafkaSettings(bootstrap, DEFAULT_CLIENT_ID, Map.of());
  }

  public KafkaSettings withClientId(String id) {
    return new KafkaSettings(bootstrap, id, properties);
  }

  /**
   * The same settings for one client of this process, its client id suffixed with {@code role}
   * ({@code gatehouse-agent-a1} becomes {@code gatehouse-agent-a1-heartbeats}), so each client can
   * be told apart in the broker's logs.
   */
  public KafkaSettings forClient(String role) {
    return withClientId(clientId + "-" + role);
  }

  /** A copy with one more extra property (replacing an earlier value of the same key). */
  public KafkaSettings with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(properties);
    copy.put(key, value);
    return new KafkaSettings(bootstrap, clientId, copy);
  }

  /**
   * A copy whose clients connect as {@code security} says: its {@link
   * KafkaSecurity#clientProperties() properties} replace whatever security properties these
   * settings had ({@code security.protocol}, the trust store, {@code sasl.mechanism}, {@code
   * sasl.jaas.config}), so applying a second security never leaves a stale login behind.
   */
  public KafkaSettings withSecurity(KafkaSecurity security) {
    Map<String, String> copy = new TreeMap<>(properties);
    copy.keySet().removeAll(KafkaSecurity.KEYS);
    copy.putAll(security.clientProperties());
    return new KafkaSettings(bootstrap, clientId, copy);
  }

  /** Prints the bootstrap, the client id and the properties, secrets' values hidden. */
  @Override
  public String toString() {
    String shown =
        properties.entrySet().stream()
            .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "[hidden]" : e.getValue()))
            .collect(Collectors.joining(", ", "{", "}"));
    return "KafkaSettings[bootstrap="
        + bootstrap
        + ", clientId="
        + clientId
        + ", properties="
        + shown
        + "]";
  }

  private static boolean isSecret(String key) {
    return SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }
}
