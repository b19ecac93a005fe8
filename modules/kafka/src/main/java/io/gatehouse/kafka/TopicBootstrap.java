package io.gatehouse.kafka;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the contract's topics if missing, with the given {@link TopicReplication}, and checks the
 * cleanup policy of those that exist. Running it again, or from several processes at once, is
 * harmless. It never alters an existing topic: a wrong policy is the operator's call, so it fails
 * with the fix in the message.
 */
public final class TopicBootstrap {
  private final Admin admin;
  private final TopicNames names;
  private final TopicReplication replication;
  private final Duration timeout;

  public TopicBootstrap(
      Admin admin, TopicNames names, TopicReplication replication, Duration timeout) {
    this.admin = admin;
    this.names = names;
    this.replication = replication;
    this.timeout = timeout;
  }

  /** Ensures every topic of the contract exists with its cleanup policy. */
  public void ensure() {
    ensure(List.of(Topic.values()));
  }

  public void ensure(Collection<Topic> topics) {
    create(topics);
    awaitLeaders(topics);
    verify(topics);
  }

  /**
   * Waits until every partition has a leader: producing to a partition the broker has not loaded
   * yet gets retried out of order and fails an idempotent producer.
   */
  private void awaitLeaders(Collection<Topic> topics) {
    List<String> topicNames = topics.stream().map(names::of).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> leaderless = new ArrayList<>();
      Map<String, TopicDescription> described;
      try {
        described =
            admin
                .describeTopics(topicNames)
                .allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // A topic just created may be unknown to the broker for a moment.
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.nanoTime() > deadline) {
          throw new TopicContractException(
              "cannot describe topics " + topicNames + ": " + describe(e.getCause()), e.getCause());
        }
        described = Map.of();
        leaderless.add(e.getCause().getClass().getSimpleName());
      } catch (TimeoutException e) {
        throw new TopicContractException(
            "timed out after " + timeout + " describing topics " + topicNames, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicContractException("interrupted describing topics", e);
      }
      described.forEach(
          (name, d) ->
              d.partitions().stream()
                  .filter(p -> p.leader() == null || p.leader().isEmpty())
                  .forEach(p -> leaderless.add(name + "-" + p.partition())));
      if (leaderless.isEmpty() && writable(described)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TopicContractException(
            "partitions without a leader after " + timeout + ": " + leaderless);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
    }
  }

  private void create(Collection<Topic> topics) {
    Set<String> existing = await("list topics", admin.listTopics().names());
    List<NewTopic> missing = new ArrayList<>();
    for (Topic topic : topics) {
      if (!existing.contains(names.of(topic))) {
        missing.add(
            new NewTopic(names.of(topic), topic.partitions(), replication.factor())
                .configs(replication.topicConfigs(topic.configs())));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    admin
        .createTopics(missing)
        .values()
        .forEach(
            (name, future) -> {
              try {
                await("create topic " + name, future);
              } catch (TopicContractException e) {
                // Another process created it between our list and create: fine, verify checks it.
                if (!(e.getCause() instanceof TopicExistsException)) {
                  throw e;
                }
              }
            });
  }

  private void verify(Collection<Topic> topics) {
    List<ConfigResource> resources = new ArrayList<>();
    for (Topic topic : topics) {
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, names.of(topic)));
    }
    Map<ConfigResource, Config> configs =
        await("describe topic configs", admin.describeConfigs(resources).all());
    List<String> problems = new ArrayList<>();
    for (Topic topic : topics) {
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, names.of(topic)));
      ConfigEntry policy = config == null ? null : config.get("cleanup.policy");
      String actual = policy == null ? "<unknown>" : policy.value();
      if (!actual.equals(topic.cleanupPolicy().value())) {
        problems.add(
            "topic "
                + names.of(topic)
                + " has cleanup.policy="
                + actual
                + ", the contract requires "
                + topic.cleanupPolicy().value()
                + " (fix: kafka-configs.sh --alter --entity-type topics --entity-name "
                + names.of(topic)
                + " --add-config cleanup.policy="
                + topic.cleanupPolicy().value()
                + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new TopicPolicyException(String.join("; ", problems));
    }
  }

  private <T> T await(String what, org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new TopicContractException(
          "cannot " + what + ": " + describe(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new TopicContractException("timed out after " + timeout + " trying to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicContractException("interrupted trying to " + what, e);
    }
  }

  /**
   * Whether every partition answers a list-offsets request at its leader, which only succeeds once
   * the broker has loaded the partition (metadata may name a leader slightly earlier).
   */
  private boolean writable(Map<String, TopicDescription> described) {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    described.forEach(
        (name, d) ->
            d.partitions()
                .forEach(
                    p ->
                        partitions.put(
                            new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    try {
      admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
        return false;
      }
      throw new TopicContractException(
          "cannot list offsets of " + described.keySet() + ": " + describe(e.getCause()),
          e.getCause());
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicContractException("interrupted listing offsets", e);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : " " + message);
  }
}
