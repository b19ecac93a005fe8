package io.gatehouse.agent.internal.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Client settings shared by the agent's producer, consumer and admin client. Kafka's clients
 * reconnect and retry by themselves with exponential back-off and 20% jitter; these bounds keep a
 * restarted cluster from being hit by a fleet in lock-step and an agent from waiting long after the
 * cluster is back.
 */
public final class KafkaClients {
  private KafkaClients() {}

  /** Reconnect and retry back-off for every client. */
  public static Map<String, String> common(String bootstrap, String clientId) {
    Map<String, String> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, "100");
    p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "10000");
    p.put(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, "100");
    p.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, "5000");
    return p;
  }

  /**
   * An idempotent producer ({@code acks=all}) of bytes. A send blocks the heartbeat thread at most
   * {@code max.block.ms}; a record not acknowledged within {@code delivery.timeout.ms} fails, and
   * the next refresh writes a newer one anyway.
   */
  public static Map<String, Object> producer(String bootstrap, String clientId) {
    Map<String, Object> p = new HashMap<>(common(bootstrap, clientId));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    return p;
  }
}
