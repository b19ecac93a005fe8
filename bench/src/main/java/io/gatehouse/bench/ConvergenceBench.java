package io.gatehouse.bench;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.kafka.KafkaSettings;
import io.gatehouse.lifecycle.FileTree;
import io.gatehouse.proxy.Proxy;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.Disposable;

/**
 * Agent scenarios on a real embedded broker, through a real proxy: (1) a dynamic resource is
 * created on the resources topic → the proxy streams it to the agent, the agent serves it, the
 * proxy writes its heartbeat, which is visible in a second, proxy-like materialized store, timed
 * one resource at a time; (2) steady-state Kafka bytes/s of one agent serving 100 static resources
 * with the default refresh (90 s).
 */
final class ConvergenceBench {
  private ConvergenceBench() {}

  public static void main(String[] args) throws Exception {
    int resources = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int windowSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    Path work = Files.createTempDirectory("gatehouse-converge-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      TopicNames names = BenchKafka.ensureTopics(kafka.bootstrapServers());
      convergence(kafka.bootstrapServers(), names, work, resources);
      heartbeatCost(kafka.bootstrapServers(), names, windowSeconds);
    } finally {
      FileTree.delete(work);
    }
  }

  private static void convergence(String bootstrap, TopicNames names, Path work, int resources)
      throws Exception {
    Map<String, Long> seen = new ConcurrentHashMap<>();
    try (StateStore store = Fleet.open(work.resolve("observer"));
        Materializer proxy =
            Materializer.builder(store, KafkaSettings.of(bootstrap).withClientId("bench-observer"))
                .build();
        Proxy writer =
            BenchProxy.start(bootstrap, names, work.resolve("proxy"), Duration.ofSeconds(90));
        Agent agent =
            Agent.start(
                AgentConfig.parse(
                    AppAgentYaml.of(
                        writer.webAddress(),
                        "bench-agent",
                        "  resources: [ { labels: { bench: \"yes\" } } ]"),
                    "bench"));
        KafkaProducer<byte[], byte[]> producer = BenchKafka.producer(bootstrap)) {
      Disposable sub =
          proxy
              .changes()
              .onBackpressureBuffer()
              .filter(c -> c.topic() == Topic.HEARTBEATS && !c.isDelete())
              .map(StateChange::key)
              .subscribe(key -> seen.putIfAbsent(key, System.nanoTime()));
      proxy.start().caughtUp().block(Duration.ofMinutes(1));
      Eventually.within(Duration.ofSeconds(30)).until(agent::isCaughtUp);
      long[] latencies = new long[resources];
      for (int i = 0; i < resources; i++) {
        String name = "conv-" + i;
        ResourceDefinition def =
            ResourceDefinition.newBuilder()
                .setKind("app")
                .setName(name)
                .setLabels(Map.of("bench", "yes"))
                .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build())
                .setUpdatedAt(Instant.now())
                .build();
        String key = Keys.heartbeat("app", name, "bench-agent");
        long sent = System.nanoTime();
        producer
            .send(
                new ProducerRecord<>(
                    names.of(Topic.RESOURCES),
                    Keys.bytes(Keys.resource("app", name)),
                    EventCodec.RESOURCE_DEFINITION.encode(def)))
            .get();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.containsKey(key) && System.nanoTime() < until) {
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        Long at = seen.get(key);
        latencies[i] = at == null ? Long.MAX_VALUE : at - sent;
      }
      sub.dispose();
      Arrays.sort(latencies);
      System.out.printf(
          "{\"scenario\":\"dynamic-create-to-proxy-state\",\"resources\":%d,\"p50Millis\":%.1f,\"p99Millis\":%.1f,\"maxMillis\":%.1f}%n",
          resources,
          latencies[resources / 2] / 1e6,
          latencies[(int) Math.min(resources - 1, Math.ceil(resources * 0.99) - 1)] / 1e6,
          latencies[resources - 1] / 1e6);
    }
  }

  private static void heartbeatCost(String bootstrap, TopicNames names, int windowSeconds)
      throws Exception {
    // Skip the start-up burst: count from 5 s after start for the window.
    HeartbeatTraffic.Measurement m =
        HeartbeatTraffic.measure(
            bootstrap,
            names,
            "bench-hb",
            100,
            Duration.ofSeconds(90),
            Duration.ofSeconds(5),
            Duration.ofSeconds(windowSeconds));
    System.out.printf(
        "{\"scenario\":\"heartbeat-cost-100-resources\",\"windowSeconds\":%d,\"records\":%d,\"payloadBytesPerSec\":%.1f,\"recordsPerSec\":%.2f}%n",
        windowSeconds, m.heartbeats(), m.bytesPerSec(), m.recordsPerSec());
  }
}
