package io.gatehouse.agent.internal.heartbeat;

import io.gatehouse.agent.AgentConfig;
import io.gatehouse.agent.ServedResource;
import io.gatehouse.agent.internal.catalog.ResourceCatalog;
import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the agent's records: a {@link ResourceHeartbeat} per served resource (keyed {@code
 * kind/name/agentId}) when it starts being served, on every change and every refresh period
 * (jittered, never late), and an {@link AgentBeat} (keyed {@code agentId}) every beat interval.
 *
 * <p>All writes happen on one thread, in the order the changes happened, through one idempotent
 * producer, so a tombstone always lands after the last heartbeat of its key and the per-agent
 * {@code sequence} increases in topic order. {@link #goodbye} tombstones every record and the beat
 * and flushes; {@link #kill} stops without a word, as a crash would. Times come from the injected
 * clock; the schedule is checked every few tens of milliseconds of real time.
 */
public final class HeartbeatPublisher implements ResourceCatalog.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);
  private static final double REFRESH_SPREAD = 0.25;
  private static final double BEAT_SPREAD = 0.1;

  private final String agentId;
  private final String address;
  private final String version;
  private final AgentConfig.Heartbeat timing;
  private final Clock clock;
  private final Jitter jitter;
  private final Jitter beatJitter;
  private final String heartbeatsTopic;
  private final String agentsTopic;
  private final Producer<byte[], byte[]> producer;
  private final ScheduledExecutorService thread;
  private final Instant startedAt;
  private final AtomicLong sequence;
  private final Counter resourceBeats;
  private final Counter agentBeats;
  private final Counter tombstones;
  private final Counter failures;
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Served resources by resource key, and when each is next refreshed; heartbeat thread only. */
  private final Map<String, Scheduled> schedule = new LinkedHashMap<>();

  private Instant nextBeat = Instant.MIN;

  /** Set on the heartbeat thread when goodbye starts; later work is dropped. */
  private volatile boolean silent;

  /** {@code recordKey} is the heartbeat's record key, built once rather than on every refresh. */
  private record Scheduled(ServedResource resource, String recordKey, Instant due) {
    Scheduled dueAt(Instant next) {
      return new Scheduled(resource, recordKey, next);
    }
  }

  public HeartbeatPublisher(
      String agentId,
      String address,
      String version,
      KafkaSettings kafka,
      TopicNames names,
      AgentConfig.Heartbeat timing,
      Clock clock,
      Random random,
      MeterRegistry registry) {
    this.agentId = agentId;
    this.address = address;
    this.version = version;
    this.timing = timing;
    this.clock = clock;
    this.jitter = new Jitter(random, REFRESH_SPREAD);
    this.beatJitter = new Jitter(random, BEAT_SPREAD);
    this.heartbeatsTopic = names.of(Topic.HEARTBEATS);
    this.agentsTopic = names.of(Topic.AGENTS);
    this.startedAt = clock.instant();
    // Starting from the start time (in microseconds) keeps the sequence increasing across restarts
    // of an agent with the same id.
    this.sequence = new AtomicLong(Math.multiplyExact(startedAt.toEpochMilli(), 1000L));
    this.producer =
        KafkaClients.producer(
            kafka.forClient("heartbeats"),
            Map.of(
                // A send blocks the heartbeat thread at most max.block.ms; a record not
                // acknowledged within delivery.timeout.ms fails, and the next refresh writes a
                // newer one anyway.
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "10000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                "30000"));
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-agent-heartbeat-" + agentId);
              t.setDaemon(true);
              return t;
            });
    this.resourceBeats = counter(registry, "resource");
    this.agentBeats = counter(registry, "agent");
    this.tombstones = counter(registry, "tombstone");
    this.failures =
        Counter.builder("gatehouse.agent.heartbeats.failed")
            .description("Heartbeat records Kafka did not acknowledge")
            .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String record) {
    return Counter.builder("gatehouse.agent.heartbeats.sent")
        .description("Heartbeat records acknowledged by Kafka")
        .tag("record", record)
        .register(registry);
  }

  /** Writes the first agent beat at once, then keeps the schedule. */
  public void start() {
    long tick = Math.max(10, Math.min(100, timing.interval().toMillis() / 10));
    thread.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
  }

  /** When this publisher started, as written in {@code AgentBeat.startedAt}. */
  public Instant startedAt() {
    return startedAt;
  }

  @Override
  public void served(ServedResource resource) {
    submit(
        () -> {
          Instant now = clock.instant();
          Scheduled s =
              new Scheduled(resource, recordKey(resource), now.plus(jitter.next(timing.refresh())));
          schedule.put(resource.key(), s);
          publish(s, now);
        });
  }

  @Override
  public void stopped(ServedResource resource) {
    submit(
        () -> {
          schedule.remove(resource.key());
          tombstone(recordKey(resource));
        });
  }

  /**
   * Graceful stop: stops refreshing, tombstones every resource heartbeat and then the agent beat,
   * and waits until Kafka acknowledged them, at most {@code timeout}. Returns whether it did.
   */
  public boolean goodbye(Duration timeout) {
    if (closed.get()) {
      return false;
    }
    Future<?> done;
    try {
      done =
          thread.submit(
              () -> {
                silent = true;
                for (Scheduled s : schedule.values()) {
                  tombstone(s.recordKey());
                }
                schedule.clear();
                send(agentsTopic, agentId, null, tombstones);
                producer.flush();
              });
    } catch (RejectedExecutionException e) {
      return false;
    }
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return !failing.get();
    } catch (TimeoutException e) {
      LOG.warn(
          "agent {}: Kafka did not acknowledge the goodbye within {} ms; proxies will expire it by TTL",
          agentId,
          timeout.toMillis());
      return false;
    } catch (ExecutionException e) {
      LOG.warn("agent {}: goodbye failed: {}", agentId, e.getCause().toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops at once without tombstones: what proxies see of a crashed agent. */
  public void kill() {
    silent = true;
    close();
  }

  /** Stops the thread and closes the producer, dropping anything not yet sent. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    silent = true;
    thread.shutdownNow();
    try {
      producer.close(Duration.ZERO);
    } catch (KafkaException e) {
      LOG.debug("agent {}: closing the heartbeat producer: {}", agentId, e.toString());
    }
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void submit(Runnable work) {
    try {
      thread.execute(
          () -> {
            if (!silent) {
              work.run();
            }
          });
    } catch (RejectedExecutionException e) {
      // Stopped: proxies learn from the tombstones or the TTL, not from late writes.
    }
  }

  private void tick() {
    if (silent) {
      return;
    }
    try {
      Instant now = clock.instant();
      if (!now.isBefore(nextBeat)) {
        beat(now);
        nextBeat = now.plus(beatJitter.next(timing.interval()));
      }
      for (Map.Entry<String, Scheduled> e : schedule.entrySet()) {
        Scheduled s = e.getValue();
        if (!now.isBefore(s.due())) {
          publish(s, now);
          e.setValue(s.dueAt(now.plus(jitter.next(timing.refresh()))));
        }
      }
    } catch (RuntimeException e) {
      // A failed tick must not cancel the schedule (ScheduledExecutorService would).
      LOG.warn("agent {}: heartbeat tick failed: {}", agentId, e.toString(), e);
    }
  }

  private void beat(Instant now) {
    AgentBeat beat =
        AgentBeat.newBuilder()
            .setAgentId(agentId)
            .setAddress(address)
            .setVersion(version)
            .setTime(now)
            .setState("serving")
            .setTtlMillis(timing.ttl().toMillis())
            .setStartedAt(startedAt)
            .build();
    send(agentsTopic, agentId, EventCodec.AGENT_BEAT.encode(beat), agentBeats);
  }

  private void publish(Scheduled s, Instant now) {
    ServedResource r = s.resource();
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind(r.kind().word())
            .setName(r.name())
            .setLabels(r.labels())
            .setSpec(new ResourceSpec(r.uri(), r.protocol().orElse(null)))
            .setAgentId(agentId)
            .setAgentAddress(address)
            .setOrigin(r.origin().word())
            .setSequence(sequence.incrementAndGet())
            .setTime(now)
            .setTtlMillis(timing.resourceTtl().toMillis())
            .build();
    send(heartbeatsTopic, s.recordKey(), EventCodec.RESOURCE_HEARTBEAT.encode(hb), resourceBeats);
  }

  private void tombstone(String recordKey) {
    send(heartbeatsTopic, recordKey, null, tombstones);
  }

  private String recordKey(ServedResource r) {
    return Keys.heartbeat(r.kind().word(), r.name(), agentId);
  }

  private void send(String topic, String key, byte[] value, Counter sent) {
    try {
      producer.send(
          new ProducerRecord<>(topic, Keys.bytes(key), value),
          (metadata, error) -> {
            if (error == null) {
              sent.increment();
              if (failing.compareAndSet(true, false)) {
                LOG.info("agent {}: heartbeats reach Kafka again", agentId);
              }
            } else {
              failed(topic, key, error);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      failed(topic, key, e);
    }
  }

  private void failed(String topic, String key, Throwable error) {
    failures.increment();
    if (failing.compareAndSet(false, true)) {
      LOG.warn(
          "agent {}: cannot write {} to {}: {} (further failures are counted, not logged)",
          agentId,
          key,
          topic,
          error.toString());
    }
  }
}
