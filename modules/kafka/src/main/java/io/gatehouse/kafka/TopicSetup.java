package io.gatehouse.kafka;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.lifecycle.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the contract's topics exist ({@link TopicBootstrap}), retrying with a {@link Backoff}
 * while Kafka is unreachable, in one of two modes:
 *
 * <ul>
 *   <li>{@link #awaitUntil(Instant, Backoff)} blocks until the topics are in place, or fails once
 *       the deadline has passed (the agent: it cannot serve without its topics);
 *   <li>{@link #inBackground(Backoff)} retries on its own thread until it succeeds or is closed
 *       (the proxy: it routes from local state while Kafka is away).
 * </ul>
 *
 * <p>In both, a topic that exists with the wrong cleanup policy ({@link TopicPolicyException}) ends
 * the setup at once: waiting would not fix it, the operator must. Each attempt uses a fresh admin
 * client, because creating one already fails while the bootstrap's host does not resolve.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  /** The shortest time one attempt gets, even with the deadline closer than that. */
  private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);

  /** How long one background attempt may take before it counts as failed. */
  private static final Duration BACKGROUND_ATTEMPT = Duration.ofSeconds(10);

  /** An admin client closed after a failure would otherwise wait for its requests' timeouts. */
  private static final Duration ADMIN_CLOSE = Duration.ofMillis(500);

  private final KafkaSettings settings;
  private final TopicNames names;
  private final List<Topic> topics;
  private final TopicReplication replication;
  private final Clock clock;

  /**
   * @param settings the cluster and the admin client's id
   * @param topics the topics to create if missing and verify
   */
  public TopicSetup(
      KafkaSettings settings,
      TopicNames names,
      Collection<Topic> topics,
      TopicReplication replication) {
    this(settings, names, topics, replication, Clock.systemUTC());
  }

  TopicSetup(
      KafkaSettings settings,
      TopicNames names,
      Collection<Topic> topics,
      TopicReplication replication,
      Clock clock) {
    this.settings = settings;
    this.names = names;
    this.topics = List.copyOf(topics);
    this.replication = replication;
    this.clock = clock;
  }

  /**
   * Blocks until the topics are in place.
   *
   * @throws TopicPolicyException at once, when a topic breaks the contract
   * @throws TopicContractException when the topics are not in place by {@code deadline} (the
   *     message names the bootstrap, the topics and the last error) or the thread is interrupted
   */
  public void awaitUntil(Instant deadline, Backoff backoff) {
    Duration timeout = Duration.between(clock.instant(), deadline);
    while (true) {
      Duration left = Duration.between(clock.instant(), deadline);
      try {
        attempt(left.compareTo(MIN_ATTEMPT) >= 0 ? left : MIN_ATTEMPT);
        return;
      } catch (TopicPolicyException e) {
        throw e;
      } catch (TopicContractException | KafkaException e) {
        Duration wait = backoff.next();
        if (clock.instant().plus(wait).isAfter(deadline)) {
          throw new TopicContractException(
              "cannot reach Kafka at "
                  + settings.bootstrap()
                  + " within "
                  + timeout
                  + " to set up topics "
                  + fullNames()
                  + ": "
                  + e.getMessage(),
              e);
        }
        LOG.warn(
            "Kafka at {} not ready ({}); retrying in {} ms",
            settings.bootstrap(),
            e.getMessage(),
            wait.toMillis());
        LockSupport.parkNanos(wait.toNanos());
        if (Thread.currentThread().isInterrupted()) {
          throw new TopicContractException(
              "interrupted while waiting for Kafka at " + settings.bootstrap());
        }
      }
    }
  }

  /**
   * Starts retrying on a daemon thread named after the client id, until the topics are in place, a
   * topic breaks the contract, or the returned handle is closed.
   */
  public Background inBackground(Backoff backoff) {
    Background background = new Background(backoff);
    background.thread.start();
    return background;
  }

  private void attempt(Duration timeout) {
    Admin admin = KafkaClients.admin(settings);
    try {
      new TopicBootstrap(admin, names, replication, timeout).ensure(topics);
    } finally {
      admin.close(ADMIN_CLOSE);
    }
  }

  private List<String> fullNames() {
    return topics.stream().map(names::of).toList();
  }

  /** Where a background setup stands. */
  public enum Status {
    /** Not done yet: the first attempt runs, or Kafka could not be reached so far. */
    PENDING,
    /** Every topic is in place. */
    READY,
    /** A topic breaks the contract; the setup gave up (see {@link Background#lastError()}). */
    BROKEN
  }

  /** A setup retrying on its own thread; closing it stops the retries. */
  public final class Background implements AutoCloseable {
    private static final Duration JOIN = Duration.ofSeconds(15);

    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile Status status = Status.PENDING;
    private volatile String lastError;

    private Background(Backoff backoff) {
      this.backoff = backoff;
      this.thread = new Thread(this::run, settings.clientId());
      thread.setDaemon(true);
    }

    public Status status() {
      return status;
    }

    /** The last attempt's failure, if one failed. */
    public Optional<String> lastError() {
      return Optional.ofNullable(lastError);
    }

    private void run() {
      while (stop.getCount() > 0) {
        try {
          attempt(BACKGROUND_ATTEMPT);
          status = Status.READY;
          LOG.debug("topics under prefix {} are in place", names.prefix());
          return;
        } catch (TopicPolicyException e) {
          lastError = e.getMessage();
          status = Status.BROKEN;
          LOG.error("{}", e.getMessage());
          return;
        } catch (RuntimeException e) {
          // Anything else (unreachable, slow, a host that does not resolve yet) may pass.
          lastError = e.getMessage();
          Duration wait = backoff.next();
          LOG.warn(
              "cannot set up topics at {} yet (retrying in {} ms): {}",
              settings.bootstrap(),
              wait.toMillis(),
              e instanceof TopicContractException ? e.getMessage() : e.toString());
          try {
            if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
              return;
            }
          } catch (InterruptedException interrupted) {
            return;
          }
        }
      }
    }

    /** Stops retrying; waits briefly for an attempt in progress. Idempotent. */
    @Override
    public void close() {
      stop.countDown();
      try {
        thread.join(JOIN.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
