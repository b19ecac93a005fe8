package io.gatehouse.proxy.publish;

import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaClients;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.lifecycle.DaemonThreads;
import io.gatehouse.proxy.ProxyException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One idempotent producer ({@code enable.idempotence=true}, {@code acks=all}) for every topic the
 * proxy writes, fed by one writer thread. {@code KafkaProducer.send} may block while it waits for
 * metadata or buffer space; the writer thread takes that wait, never an event loop. The queue in
 * front of it is bounded: when Kafka has been unreachable long enough to fill it, further records
 * fail at once (counted and logged) rather than exhausting memory; local state already has them. A
 * record is never dropped because Kafka is unreachable: the writer tries it again until Kafka is
 * back (see {@link #send}), and the producer's own retries cover the rest.
 */
public final class KafkaEventPublisher implements EventPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);
  private static final int QUEUE = 100_000;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final TopicNames names;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ThreadPoolExecutor writer;
  private final Counter failures;
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** {@code kafka}'s client id names the producer and the writer thread. */
  public KafkaEventPublisher(KafkaSettings kafka, TopicNames names, MeterRegistry registry) {
    this.names = names;
    String clientId = kafka.clientId();
    this.producer =
        KafkaClients.producer(
            kafka,
            // Metadata waits happen on the writer thread; bound them so close() is never stuck
            // behind one.
            Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000"));
    this.writer =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            DaemonThreads.named("gatehouse-proxy-writer-" + clientId));
    this.failures =
        Counter.builder("gatehouse.proxy.publish.failures")
            .description("Records Kafka did not acknowledge or that found the writer queue full")
            .register(registry);
  }

  @Override
  public CompletionStage<Void> publish(Topic topic, String key, SpecificRecord value) {
    return publish(topic, key, null, value);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public CompletionStage<Void> publish(
      Topic topic, String key, String partitionKey, SpecificRecord value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] bytes;
    try {
      bytes = value == null ? null : ((EventCodec) topic.codec()).encode(value);
    } catch (RuntimeException e) {
      done.completeExceptionally(
          new ProxyException(
              "cannot encode " + topic.suffix() + " record " + key + ": " + e.getMessage(), e));
      return done;
    }
    String name = names.of(topic);
    try {
      writer.execute(() -> send(done, name, key, partitionKey, bytes));
    } catch (RejectedExecutionException e) {
      fail(
          done,
          name,
          key,
          closed.get()
              ? new ProxyException("publisher is closed")
              : new ProxyException("writer queue full (" + QUEUE + " records)"));
    }
    return done;
  }

  /**
   * Hands one record to the producer, on the writer thread. While no broker answers, the producer
   * holds no metadata (it re-bootstraps) and both the partition lookup and {@code send} wait for it
   * up to {@code max.block.ms}, then throw a {@link TimeoutException}: the record is tried again,
   * in its turn, until Kafka is back or the publisher closes — it is never dropped for an outage.
   * Records behind it wait in the bounded queue, in order.
   */
  private void send(
      CompletableFuture<Void> done, String name, String key, String partitionKey, byte[] bytes) {
    for (long attempt = 1; ; attempt++) {
      try {
        // The partition is looked up here, on the writer thread: it may wait for metadata.
        Integer partition =
            partitionKey == null ? null : partitionOf(name, Keys.bytes(partitionKey));
        // send() reports its own metadata wait through the callback, on this thread, before it
        // returns; a delivery's outcome comes later from the producer's I/O thread.
        Thread caller = Thread.currentThread();
        TimeoutException[] waitedInVain = {null};
        producer.send(
            new ProducerRecord<>(name, partition, Keys.bytes(key), bytes),
            (metadata, error) -> {
              if (error == null) {
                done.complete(null);
              } else if (error instanceof TimeoutException t && Thread.currentThread() == caller) {
                waitedInVain[0] = t;
              } else {
                fail(done, name, key, error);
              }
            });
        if (waitedInVain[0] == null) {
          return;
        }
        throw waitedInVain[0];
      } catch (TimeoutException e) {
        if (closed.get()) {
          fail(done, name, key, e);
          return;
        }
        if (attempt == 1) {
          LOG.warn(
              "Kafka unreachable: {} record {} waits for it ({}); later records queue behind it",
              name,
              key,
              e.getMessage());
        }
      } catch (RuntimeException e) {
        fail(done, name, key, e);
        return;
      }
    }
  }

  /** The partition Kafka's default partitioner picks for a record keyed {@code key}. */
  private int partitionOf(String topic, byte[] key) {
    int partitions = producer.partitionsFor(topic).size();
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  private void fail(CompletableFuture<Void> done, String topic, String key, Throwable error) {
    failures.increment();
    long n = failed.incrementAndGet();
    String message = "cannot write " + topic + " record " + key + ": " + error.getMessage();
    // One line per failure floods the log during an outage: log the first and every 1000th.
    if (n == 1 || n % 1000 == 0) {
      LOG.warn("{} ({} failed writes so far)", message, n);
    }
    done.completeExceptionally(new ProxyException(message, error));
  }

  /**
   * Stops taking records, lets the writer hand over what is queued, flushes, closes the producer.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        writer.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      writer.shutdownNow();
    }
    producer.close(CLOSE_TIMEOUT);
  }
}
