package io.gatehouse.agent.internal.kafka;

import io.gatehouse.agent.AgentException;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicBootstrap;
import io.gatehouse.events.topic.TopicContractException;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.events.topic.TopicPolicyException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the topics the agent writes and reads exist, retrying with jittered back-off while
 * Kafka is unreachable, up to a deadline. A topic that exists with the wrong cleanup policy fails
 * at once: waiting would not fix it.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {}

  public static void ensure(
      String bootstrap,
      String clientId,
      TopicNames names,
      Collection<Topic> topics,
      short replicationFactor,
      Duration timeout,
      Random random) {
    Map<String, Object> props = new HashMap<>(KafkaClients.common(bootstrap, clientId));
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    Instant deadline = Clock.systemUTC().instant().plus(timeout);
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), random);
    Admin admin = Admin.create(props);
    try {
      while (true) {
        Duration left = Duration.between(Clock.systemUTC().instant(), deadline);
        try {
          new TopicBootstrap(admin, names, replicationFactor, max(left, Duration.ofSeconds(1)))
              .ensure(topics);
          return;
        } catch (TopicContractException e) {
          if (e instanceof TopicPolicyException) {
            throw new AgentException(
                "topics at " + bootstrap + " break the contract: " + e.getMessage(), e);
          }
          Duration wait = backoff.next();
          if (Clock.systemUTC().instant().plus(wait).isAfter(deadline)) {
            throw new AgentException(
                "cannot reach Kafka at " + bootstrap + " within " + timeout + ": " + e.getMessage(),
                e);
          }
          LOG.warn(
              "Kafka at {} not ready ({}); retrying in {} ms",
              bootstrap,
              e.getMessage(),
              wait.toMillis());
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait.toMillis()));
          if (Thread.currentThread().isInterrupted()) {
            throw new AgentException("interrupted while waiting for Kafka at " + bootstrap);
          }
        }
      }
    } finally {
      // Nothing is pending after a success; after a failure, waiting for the client's own
      // timeouts would only delay the error.
      admin.close(Duration.ofMillis(500));
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
