package io.gatehouse.bench;

import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Convergence of a running proxy: heartbeat published → routable. It publishes heartbeats for new
 * resources of one existing, fresh agent, one at a time, each timed from just before {@code
 * producer.send} to the arrival, on the proxy's {@code GET /v1/events?topics=heartbeats}
 * server-sent event stream, of the event for that heartbeat's key: the change stream the proxy's
 * routing index is fed from, emitted after the record is in local state. After each sample a {@code
 * GET /v1/resources/app/<name>} must show {@code totalAgents >= 1}; samples that do are counted as
 * known (routable once the agent has a tunnel). The first {@code warmUp} samples are not counted
 * (the proxy's JIT).
 */
final class ConvergenceProbe implements AutoCloseable {
  private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(10);

  private final ProxyProcess proxy;
  private final HeartbeatEvents events;

  /**
   * The samples after warm-up.
   *
   * @param latencyNanos sorted; {@code Long.MAX_VALUE} for a sample whose event never came
   */
  record Result(int warmUp, long[] latencyNanos, int arrived, int routable) {
    String json() {
      return String.format(
          Locale.ROOT,
          "{\"scenario\":\"fleet-convergence\",\"samples\":%d,\"warmUpSamples\":%d,\"arrived\":%d,\"routable\":%d,"
              + "\"p50Millis\":%.1f,\"p99Millis\":%.1f,\"maxMillis\":%.1f}",
          latencyNanos.length,
          warmUp,
          arrived,
          routable,
          millis(0.5),
          millis(0.99),
          millis(1.0));
    }

    double millis(double quantile) {
      long nanos = Stats.percentile(latencyNanos.clone(), quantile);
      return nanos == Long.MAX_VALUE ? Double.NaN : nanos / 1e6;
    }
  }

  /** Subscribes to the proxy's heartbeat events; returns once the stream is open. */
  ConvergenceProbe(ProxyProcess proxy) throws IOException, InterruptedException {
    this.proxy = proxy;
    this.events = new HeartbeatEvents(proxy);
  }

  /**
   * Publishes {@code warmUp + samples} heartbeats of {@code agent} (an index of {@code fleet}), one
   * at a time.
   */
  Result run(String bootstrap, TopicNames names, Fleet fleet, int agent, int warmUp, int samples)
      throws Exception {
    String topic = names.of(Topic.HEARTBEATS);
    String run = Long.toHexString(System.nanoTime());
    long[] latencies = new long[samples];
    int arrived = 0;
    int routable = 0;
    try (KafkaProducer<byte[], byte[]> producer = BenchKafka.producer(bootstrap)) {
      for (int i = 0; i < warmUp + samples; i++) {
        String name = "conv-" + run + "-" + i;
        String key = Keys.heartbeat("app", name, fleet.agent(agent));
        byte[] value =
            EventCodec.RESOURCE_HEARTBEAT.encode(fleet.heartbeat(name, i, agent, 1, Instant.now()));
        long sent = System.nanoTime();
        Future<RecordMetadata> ack =
            producer.send(new ProducerRecord<>(topic, Keys.bytes(key), value));
        Long at = events.awaitArrival(key, sent + SAMPLE_TIMEOUT.toNanos());
        ack.get(SAMPLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        boolean healthy = ProxyProcess.knownAgents(proxy.app(name)) >= 1;
        if (i >= warmUp) {
          latencies[i - warmUp] = at == null ? Long.MAX_VALUE : at - sent;
          arrived += at == null ? 0 : 1;
          routable += healthy ? 1 : 0;
        }
        // A few milliseconds apart, so samples do not fall into step with the consumer's polls.
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000, 10_000_000));
      }
    }
    Arrays.sort(latencies);
    return new Result(warmUp, latencies, arrived, routable);
  }

  @Override
  public void close() {
    events.close();
  }
}
