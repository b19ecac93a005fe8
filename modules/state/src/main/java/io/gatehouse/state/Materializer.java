package io.gatehouse.state;

import io.gatehouse.events.Keys;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.state.internals.DeadLetters;
import io.gatehouse.state.internals.StreamProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Materializes contract topics into a {@link StateStore}. It reads every partition of every topic
 * (no consumer group: each process needs the whole table), and writes each poll's records and the
 * positions after them in one atomic batch, so on restart it resumes exactly where the store is and
 * re-reads nothing already applied. Tombstones delete. A value that cannot be decoded is counted,
 * logged once with its coordinates, copied to the dead-letter topic and skipped.
 *
 * <p>Applied changes are published on {@link #changes()} after they are durable. The materializer
 * owns one thread and one consumer; it never closes the store it was handed.
 */
public final class Materializer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);

  /**
   * Large polls and fetches: a restart or a new process reads whole topics, and one batch per poll
   * makes each poll one RocksDB write.
   */
  private static final Map<String, String> FETCH =
      Map.of(
          ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
          "20000",
          ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
          String.valueOf(64 * 1024 * 1024),
          ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
          String.valueOf(16 * 1024 * 1024),
          ConsumerConfig.RECEIVE_BUFFER_CONFIG,
          String.valueOf(4 * 1024 * 1024));

  private final StateStore store;
  private final KafkaSettings kafka;
  private final TopicNames names;
  private final List<Topic> topics;
  private final String clientId;
  private final Duration pollTimeout;
  private final StreamProbe probe;
  private final DeadLetters deadLetters;
  private final Sinks.Many<StateChange> sink = Sinks.many().multicast().directBestEffort();
  private final Sinks.One<Void> caughtUp = Sinks.one();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<Topic, Counter> applied = new EnumMap<>(Topic.class);
  private final Map<Topic, Counter> poisonPills = new EnumMap<>(Topic.class);
  private final AtomicLong appliedTotal = new AtomicLong();
  private final AtomicLong poisonTotal = new AtomicLong();
  private final Map<TopicPartition, Long> applyPositions = new HashMap<>();
  private volatile boolean isCaughtUp;
  private volatile Throwable failure;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  private Materializer(Builder b) {
    this.store = b.store;
    this.kafka = b.kafka;
    this.names = b.names;
    this.topics = List.copyOf(b.topics);
    this.clientId = b.kafka.clientId();
    this.pollTimeout = b.pollTimeout;
    this.probe = new StreamProbe(b.clock, b.probeInterval, b.probeTimeout);
    this.deadLetters =
        new DeadLetters(
            b.kafka, b.deadLetters ? names.of(Topic.DEAD_LETTER) : null, Duration.ofSeconds(5));
    for (Topic topic : topics) {
      applied.put(
          topic,
          Counter.builder("gatehouse.materializer.records")
              .description("Records applied to local state")
              .tag("topic", topic.suffix())
              .register(b.registry));
      poisonPills.put(
          topic,
          Counter.builder("gatehouse.materializer.poison.pills")
              .description("Undecodable records set aside")
              .tag("topic", topic.suffix())
              .register(b.registry));
      String name = names.of(topic);
      Gauge.builder("gatehouse.materializer.lag.records", probe, p -> p.lag(name))
          .description(
              "Records between applied positions and the last end offsets seen; -1 before the first probe")
          .tag("topic", topic.suffix())
          .register(b.registry);
    }
    Gauge.builder("gatehouse.materializer.caught.up", this, m -> m.isCaughtUp ? 1 : 0)
        .description("1 once the store has reached the end offsets seen at start")
        .register(b.registry);
    Gauge.builder("gatehouse.state.size.bytes", store, StateStore::sizeOnDisk)
        .description("Size of the state store's files")
        .baseUnit("bytes")
        .register(b.registry);
  }

  /**
   * @param kafka the cluster; its client id names the consumer, the thread and the dead letters'
   *     source (e.g. the proxy id)
   */
  public static Builder builder(StateStore store, KafkaSettings kafka) {
    return new Builder(store, kafka);
  }

  /** Starts the materializer thread. */
  public Materializer start() {
    if (!running.compareAndSet(false, true)) {
      throw new StateException("materializer " + clientId + " already started");
    }
    thread = new Thread(this::run, "gatehouse-materializer-" + clientId);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /**
   * Changes applied to the store, after they are durable. Hot: subscribers see changes from the
   * moment they subscribe, so subscribe first, then read the store. The sink drops for a subscriber
   * that has no demand; add {@code onBackpressureBuffer()} if you must not miss one.
   */
  public Flux<StateChange> changes() {
    return sink.asFlux();
  }

  /** True once the store has reached the end offsets seen when the materializer started. */
  public boolean isCaughtUp() {
    return isCaughtUp;
  }

  /** Completes once caught up (at once if already), or errors if the materializer fails first. */
  public Mono<Void> caughtUp() {
    return caughtUp.asMono();
  }

  /** The time up to which this process has seen the stream. */
  public StreamClock streamClock() {
    return probe::seenUpTo;
  }

  /** Whether the broker answered the last end-offset request. */
  public boolean isKafkaReachable() {
    return probe.reachable();
  }

  public long appliedRecords() {
    return appliedTotal.get();
  }

  public long poisonPills() {
    return poisonTotal.get();
  }

  /** The failure that stopped the materializer thread, or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(kafka, FETCH)) {
      consumer = c;
      Set<TopicPartition> partitions = assign(c);
      Map<String, Topic> byName = new HashMap<>();
      for (Topic t : topics) {
        byName.put(names.of(t), t);
      }
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records = c.poll(pollTimeout);
        if (!records.isEmpty()) {
          apply(records, byName);
        }
        probe.probe(c, partitions, tp -> applyPositions.getOrDefault(tp, 0L));
        if (!isCaughtUp && probe.seenUpTo().isAfter(java.time.Instant.EPOCH)) {
          isCaughtUp = true;
          caughtUp.tryEmitEmpty();
          LOG.info("materializer {} caught up ({} records applied)", clientId, appliedTotal.get());
        }
      }
    } catch (WakeupException | InterruptException e) {
      // close() asked us to stop.
    } catch (Throwable e) {
      failure = e;
      LOG.error("materializer {} stopped: {}", clientId, e.toString(), e);
      caughtUp.tryEmitError(e);
      sink.tryEmitError(e);
      return;
    } finally {
      deadLetters.close();
    }
    sink.tryEmitComplete();
  }

  private Set<TopicPartition> assign(KafkaConsumer<byte[], byte[]> c) {
    Set<TopicPartition> partitions = new LinkedHashSet<>();
    while (running.get()) {
      partitions.clear();
      List<String> missing = new ArrayList<>();
      for (Topic topic : topics) {
        List<PartitionInfo> infos;
        try {
          infos = c.partitionsFor(names.of(topic), Duration.ofSeconds(5));
        } catch (KafkaException e) {
          infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
          missing.add(names.of(topic));
        }
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
          partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
      }
      if (missing.isEmpty()) {
        break;
      }
      LOG.warn("materializer {} waiting for topics {} at {}", clientId, missing, kafka.bootstrap());
      // Back off before asking again. Not c.poll(): with nothing assigned it throws
      // IllegalStateException, which stopped the materializer for good when it started before its
      // topics existed.
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
    c.assign(partitions);
    Map<String, Map<Integer, Long>> stored = store.positions();
    for (TopicPartition tp : partitions) {
      Long next = stored.getOrDefault(tp.topic(), Map.of()).get(tp.partition());
      if (next == null) {
        c.seekToBeginning(List.of(tp));
        applyPositions.put(tp, 0L);
      } else {
        c.seek(tp, next);
        applyPositions.put(tp, next);
      }
    }
    LOG.info(
        "materializer {} assigned {} partitions, resuming from stored positions {}",
        clientId,
        partitions.size(),
        stored);
    return partitions;
  }

  private void apply(ConsumerRecords<byte[], byte[]> records, Map<String, Topic> byName) {
    // Nobody listening (a restart catching up, a benchmark): skip building change objects.
    boolean publish = sink.currentSubscriberCount() > 0;
    List<StateChange> changes = new ArrayList<>(publish ? records.count() : 0);
    int appliedNow = 0;
    int poison = 0;
    try (StateBatch batch = store.batch()) {
      for (TopicPartition tp : records.partitions()) {
        Topic topic = byName.get(tp.topic());
        int appliedHere = 0;
        long next = -1;
        for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
          next = record.offset() + 1;
          String problem = problem(topic, record);
          if (problem != null) {
            deadLetters.setAside(record, problem);
            poisonPills.get(topic).increment();
            poison++;
            continue;
          }
          // A null value is a tombstone: the key is deleted.
          if (record.value() == null) {
            batch.delete(topic.suffix(), record.key());
          } else {
            batch.put(topic.suffix(), record.key(), record.value());
          }
          if (publish) {
            changes.add(
                new StateChange(
                    topic,
                    Keys.string(record.key()),
                    record.value(),
                    tp.partition(),
                    record.offset()));
          }
          appliedHere++;
        }
        if (next >= 0) {
          batch.position(tp.topic(), tp.partition(), next);
          applyPositions.put(tp, next);
        }
        applied.get(topic).increment(appliedHere);
        appliedNow += appliedHere;
      }
      store.write(batch);
    }
    appliedTotal.addAndGet(appliedNow);
    if (poison > 0) {
      poisonTotal.addAndGet(poison);
    }
    for (StateChange change : changes) {
      sink.tryEmitNext(change);
    }
  }

  /** Why a record cannot be applied (a poison pill), or null when it can. */
  private static String problem(Topic topic, ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      return "record has no key";
    }
    if (record.value() == null) {
      return null; // a tombstone
    }
    try {
      topic.codec().validate(record.value());
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /** Stops the thread and the consumer; idempotent. Does not close the store. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean wasRunning = running.getAndSet(false);
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (wasRunning && thread != null) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("materializer {} thread did not stop within 10 s", clientId);
      }
    }
  }

  /** Configures a {@link Materializer}; every setting has a default but the store and cluster. */
  public static final class Builder {
    private final StateStore store;
    private final KafkaSettings kafka;
    private TopicNames names = TopicNames.DEFAULT;
    private Collection<Topic> topics = Topic.MATERIALIZED;
    private Clock clock = Clock.systemUTC();
    private Duration pollTimeout = Duration.ofMillis(100);
    private Duration probeInterval = Duration.ofMillis(250);
    private Duration probeTimeout = Duration.ofSeconds(1);
    private boolean deadLetters = true;
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder(StateStore store, KafkaSettings kafka) {
      this.store = store;
      this.kafka = kafka;
    }

    public Builder topicNames(TopicNames names) {
      this.names = names;
      return this;
    }

    /** The topics to read; default {@link Topic#MATERIALIZED}. Each needs a table of its suffix. */
    public Builder topics(Collection<Topic> topics) {
      this.topics = topics;
      return this;
    }

    /** The clock stream time is read from; tests inject one. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** How often to ask the broker how far the stream goes; bounds liveness precision. */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = interval;
      return this;
    }

    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = timeout;
      return this;
    }

    /**
     * Whether to copy poison pills to the dead-letter topic (they are always counted and logged).
     */
    public Builder deadLetters(boolean enabled) {
      this.deadLetters = enabled;
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    public Materializer build() {
      for (Topic topic : topics) {
        if (topic.codec() == null) {
          throw new StateException(
              "topic " + topic + " carries no events and cannot be materialized");
        }
        store.table(topic.suffix());
      }
      return new Materializer(this);
    }
  }
}
