package io.gatehouse.proxy;

import io.gatehouse.events.topic.TopicBootstrap;
import io.gatehouse.events.topic.TopicContractException;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.events.topic.TopicPolicyException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the contract's missing topics in the background, retrying with back-off until it succeeds
 * or the proxy stops, so that a proxy starts (and routes from its local state) while Kafka is
 * unreachable. The materializer waits for the topics on its own.
 */
final class TopicSetup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;

  private TopicSetup(String bootstrap, String clientId, TopicNames names, short replicationFactor) {
    this.thread = new Thread(() -> run(bootstrap, clientId, names, replicationFactor), clientId);
    thread.setDaemon(true);
  }

  static TopicSetup start(
      String bootstrap, String clientId, TopicNames names, short replicationFactor) {
    TopicSetup setup = new TopicSetup(bootstrap, clientId, names, replicationFactor);
    setup.thread.start();
    return setup;
  }

  private void run(String bootstrap, String clientId, TopicNames names, short replicationFactor) {
    Duration backoff = FIRST_BACKOFF;
    while (stop.getCount() > 0) {
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  AdminClientConfig.CLIENT_ID_CONFIG,
                  clientId,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                  "10000",
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                  "5000"))) {
        new TopicBootstrap(admin, names, replicationFactor, Duration.ofSeconds(10)).ensure();
        LOG.debug("topics under prefix {} are in place", names.prefix());
        return;
      } catch (TopicContractException e) {
        if (e instanceof TopicPolicyException) {
          // A topic breaks the contract: retrying will not fix it, the operator must.
          LOG.error("{}", e.getMessage());
          return;
        }
        LOG.warn(
            "cannot set up topics at {} yet (retrying in {} ms): {}",
            bootstrap,
            backoff.toMillis(),
            e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn(
            "cannot set up topics at {} yet (retrying in {} ms): {}",
            bootstrap,
            backoff.toMillis(),
            e.toString());
      }
      try {
        if (stop.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  /** Stops retrying; waits briefly for an attempt in progress. */
  @Override
  public void close() {
    stop.countDown();
    try {
      thread.join(Duration.ofSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
