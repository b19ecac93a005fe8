package io.gatehouse.proxy.heartbeat;

import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.TargetHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code gatehouse.heartbeats} on behalf of the agents connected to this proxy. Every tunnel
 * tells its proxy what the agent serves; the agent names one of its proxies the <em>writer</em>,
 * and only that one writes: each record when it first appears or changes (its upstream's health
 * too: a change is written at once, not at the next refresh), then again every {@code refresh}
 * (jittered, never later), so the topic carries at most one record per resource and agent per
 * refresh period however many proxies the agent is connected to. The records' TTL is three refresh
 * periods. If the writer's tunnel goes, the agent names another proxy, which already knows what the
 * agent serves and writes it at once.
 *
 * <p>A tunnel that closes writes nothing: the agent may be connected elsewhere, and routing judges
 * liveness by tunnels, not by these records. A goodbye (graceful stop) tombstones every record of
 * the agent. All state lives on one thread, so records of one agent are written in the order the
 * agent said things. Thread-safe.
 */
public final class HeartbeatWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWriter.class);
  private static final double SPREAD = 0.25;
  private static final Duration RETRY = Duration.ofSeconds(2);

  private final EventPublisher publisher;
  private final Clock clock;
  private final Duration refresh;
  private final Duration ttl;
  private final Jitter jitter;
  private final ScheduledExecutorService thread;
  private final Set<Served> open = ConcurrentHashMap.newKeySet();
  private final Counter written;
  private final Counter tombstones;
  private final Counter failed;
  private final AtomicBoolean failing = new AtomicBoolean();

  public HeartbeatWriter(
      EventPublisher publisher,
      Clock clock,
      Duration refresh,
      RandomGenerator random,
      MeterRegistry registry) {
    this.publisher = publisher;
    this.clock = clock;
    this.refresh = refresh;
    this.ttl = refresh.multipliedBy(3);
    this.jitter = new Jitter(random, SPREAD);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("gatehouse-proxy-heartbeats"));
    long tick = Math.max(10, Math.min(1000, refresh.toMillis() / 20));
    thread.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    this.written = counter(registry, "heartbeat");
    this.tombstones = counter(registry, "tombstone");
    this.failed =
        Counter.builder("gatehouse.proxy.heartbeats.failed")
            .description("Heartbeat records written on agents' behalf that Kafka did not take")
            .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String record) {
    return Counter.builder("gatehouse.proxy.heartbeats.written")
        .description("Heartbeat records written on agents' behalf and acknowledged by Kafka")
        .tag("record", record)
        .register(registry);
  }

  /** How long the records this writer writes live without a refresh. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * What one tunnel's agent serves, as told on its control stream; {@link Served#close} when the
   * tunnel closes.
   *
   * @param remote the agent's address as this proxy sees it, written in its records
   */
  public Served open(String agentId, String remote) {
    Served served = new Served(agentId, remote);
    open.add(served);
    return served;
  }

  /** Stops refreshing; records stay (they expire by TTL unless another proxy takes over). */
  @Override
  public void close() {
    thread.shutdownNow();
  }

  private void tick() {
    try {
      Instant now = clock.instant();
      for (Served s : open) {
        s.refreshDue(now);
      }
    } catch (RuntimeException e) {
      // A failed tick must not cancel the schedule (ScheduledExecutorService would).
      LOG.warn("heartbeat refresh failed: {}", e.toString(), e);
    }
  }

  private void submit(Runnable work) {
    try {
      thread.execute(work);
    } catch (RejectedExecutionException e) {
      // Closed: the proxy is stopping; the records expire by TTL unless another proxy writes.
    }
  }

  /** One tunnel's view of what its agent serves; every method returns at once. */
  public final class Served {
    private final String agentId;
    private final String remote;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long sequence;
    private boolean writer;
    private boolean closed;

    private Served(String agentId, String remote) {
      this.agentId = agentId;
      this.remote = remote;
      this.sequence = Math.multiplyExact(clock.millis(), 1000L);
    }

    /** The agent serves {@code line} (new or changed); written at once if this is the writer. */
    public void serve(ServeLine line) {
      submit(
          () -> {
            if (closed) {
              return;
            }
            Entry entry = new Entry(line, Keys.heartbeat(line.kind().word(), line.name(), agentId));
            entries.put(line.key(), entry);
            if (writer) {
              write(entry, clock.instant());
            }
          });
    }

    /** The agent stopped serving {@code kind/name}; tombstoned if this is the writer. */
    public void unserve(String resourceKey) {
      submit(
          () -> {
            Entry entry = entries.remove(resourceKey);
            if (entry != null && writer && !closed) {
              tombstone(entry.recordKey);
            }
          });
    }

    /** The agent named this proxy its writer: everything it serves is written now. */
    public void becomeWriter() {
      submit(
          () -> {
            if (closed || writer) {
              return;
            }
            writer = true;
            Instant now = clock.instant();
            entries.values().forEach(e -> write(e, now));
            LOG.debug("agent {}: this proxy writes its {} heartbeats", agentId, entries.size());
          });
    }

    /**
     * The agent is stopping: tombstones every record it told this tunnel of and completes once
     * Kafka acknowledged them all (or with the first failure); nothing it says after is written.
     */
    public CompletionStage<Void> goodbye() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      submit(
          () -> {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (Entry e : entries.values()) {
              acks.add(tombstone(e.recordKey).toCompletableFuture());
            }
            entries.clear();
            writer = false;
            // A leaving agent says nothing more that this proxy should write.
            closed = true;
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .whenComplete(
                    (v, error) -> {
                      if (error == null) {
                        done.complete(null);
                      } else {
                        done.completeExceptionally(error);
                      }
                    });
          });
      return done;
    }

    /** The tunnel closed: nothing more is written for it; its records are left as they are. */
    public void close() {
      open.remove(this);
      submit(() -> closed = true);
    }

    private void refreshDue(Instant now) {
      if (!writer || closed) {
        return;
      }
      for (Entry e : entries.values()) {
        if (!now.isBefore(e.due)) {
          write(e, now);
        }
      }
    }

    private void write(Entry entry, Instant now) {
      entry.due = now.plus(jitter.next(refresh));
      ServeLine line = entry.line;
      ResourceHeartbeat hb =
          ResourceHeartbeat.newBuilder()
              .setKind(line.kind().word())
              .setName(line.name())
              .setLabels(line.labels())
              .setSpec(new ResourceSpec(line.uri(), line.protocol().orElse(null)))
              .setAgentId(agentId)
              .setAgentAddress(remote)
              .setOrigin(line.origin())
              .setSequence(++sequence)
              .setTime(now)
              .setTtlMillis(ttl.toMillis())
              .setTargetHealth(line.health().map(TargetHealth::toRecord).orElse(null))
              .setZone(line.zone().orElse(null))
              .build();
      publisher
          .publish(Topic.HEARTBEATS, entry.recordKey, hb)
          .whenComplete(
              (v, error) -> {
                if (error == null) {
                  written.increment();
                  recovered();
                } else {
                  failed(entry.recordKey, error);
                  // Written again soon rather than a whole refresh period later.
                  submit(
                      () -> {
                        if (entries.get(line.key()) == entry) {
                          entry.due = clock.instant().plus(RETRY);
                        }
                      });
                }
              });
    }

    private CompletionStage<Void> tombstone(String recordKey) {
      return publisher
          .publish(Topic.HEARTBEATS, recordKey, null)
          .whenComplete(
              (v, error) -> {
                if (error == null) {
                  tombstones.increment();
                  recovered();
                } else {
                  failed(recordKey, error);
                }
              });
    }
  }

  private void recovered() {
    if (failing.compareAndSet(true, false)) {
      LOG.info("heartbeats reach Kafka again");
    }
  }

  private void failed(String recordKey, Throwable error) {
    failed.increment();
    if (failing.compareAndSet(false, true)) {
      LOG.warn(
          "cannot write heartbeat {}: {} (retrying; further failures are counted, not logged)",
          recordKey,
          error.toString());
    }
  }

  /** One served resource and when it is next refreshed; heartbeat thread only. */
  private static final class Entry {
    final ServeLine line;
    final String recordKey;
    Instant due = Instant.MIN;

    Entry(ServeLine line, String recordKey) {
      this.line = line;
      this.recordKey = recordKey;
    }
  }
}
