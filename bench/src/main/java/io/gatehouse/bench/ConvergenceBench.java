package io.gatehouse.bench;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.broker.EmbeddedKafka;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicBootstrap;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.state.Materializer;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.Disposable;

/**
 * Agent scenarios on a real embedded broker: (1) a dynamic resource is created on the resources
 * topic → the agent's heartbeat for it is visible in a proxy-like materialized store, timed one
 * resource at a time; (2) steady-state Kafka bytes/s of one agent serving 100 static resources
 * with default timings (beat 1 s, refresh 60 s).
 */
final class ConvergenceBench {
  private ConvergenceBench() {}

  public static void main(String[] args) throws Exception {
    int resources = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int windowSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    Path work = Files.createTempDirectory("gatehouse-converge-");
    TopicNames names = TopicNames.DEFAULT;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      Properties adminProps = new Properties();
      adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(adminProps)) {
        new TopicBootstrap(admin, names, (short) 1, Duration.ofSeconds(30)).ensure();
      }
      convergence(kafka.bootstrapServers(), names, work, resources);
      heartbeatCost(kafka.bootstrapServers(), names, windowSeconds);
    }
  }

  private static void convergence(String bootstrap, TopicNames names, Path work, int resources) throws Exception {
    Map<String, Long> seen = new ConcurrentHashMap<>();
    try (StateStore store = StateStore.open(work.resolve("proxy"), Topic.MATERIALIZED.stream().map(Topic::suffix).toList());
        Materializer proxy = Materializer.builder(store, bootstrap).clientId("bench-proxy").build();
        Agent agent = Agent.start(AgentConfig.parse(String.join("\n",
            "agent:",
            "  id: bench-agent",
            "  kafka: { bootstrap: \"" + bootstrap + "\" }",
            "  listen: \"127.0.0.1:0\"",
            "app_service:",
            "  enabled: true",
            "  resources: [ { labels: { bench: \"yes\" } } ]", ""), "bench"));
        KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      Disposable sub = proxy.changes().onBackpressureBuffer()
          .filter(c -> c.topic() == Topic.HEARTBEATS && !c.isDelete())
          .map(StateChange::key)
          .subscribe(key -> seen.putIfAbsent(key, System.nanoTime()));
      proxy.start().caughtUp().block(Duration.ofMinutes(1));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!agent.isCaughtUp() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      long[] latencies = new long[resources];
      for (int i = 0; i < resources; i++) {
        String name = "conv-" + i;
        ResourceDefinition def = ResourceDefinition.newBuilder().setKind("app").setName(name).setLabels(Map.of("bench", "yes"))
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build()).setUpdatedAt(Instant.now()).build();
        String key = Keys.heartbeat("app", name, "bench-agent");
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(names.of(Topic.RESOURCES), Keys.bytes(Keys.resource("app", name)), EventCodec.RESOURCE_DEFINITION.encode(def))).get();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.containsKey(key) && System.nanoTime() < until) {
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        Long at = seen.get(key);
        latencies[i] = at == null ? Long.MAX_VALUE : at - sent;
      }
      sub.dispose();
      Arrays.sort(latencies);
      System.out.printf("{\"scenario\":\"dynamic-create-to-proxy-state\",\"resources\":%d,\"p50Millis\":%.1f,\"p99Millis\":%.1f,\"maxMillis\":%.1f}%n",
          resources, latencies[resources / 2] / 1e6, latencies[(int) Math.min(resources - 1, Math.ceil(resources * 0.99) - 1)] / 1e6,
          latencies[resources - 1] / 1e6);
    }
  }

  private static void heartbeatCost(String bootstrap, TopicNames names, int windowSeconds) throws Exception {
    StringBuilder yaml = new StringBuilder(String.join("\n",
        "agent:", "  id: bench-hb", "  kafka: { bootstrap: \"" + bootstrap + "\" }", "  listen: \"127.0.0.1:0\"",
        "app_service:", "  enabled: true", "  apps:", ""));
    for (int i = 0; i < 100; i++) {
      yaml.append("    - { name: hb-").append(i).append(", uri: \"http://127.0.0.1:").append(10000 + i).append("\", labels: { env: bench } }\n");
    }
    try (Agent agent = Agent.start(AgentConfig.parse(yaml.toString(), "bench-hb"));
        KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      // Skip the start-up burst: count from 5 s after start for the window.
      long warm = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < warm) {
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
      }
      List<TopicPartition> tps = new ArrayList<>();
      for (Topic t : List.of(Topic.HEARTBEATS, Topic.AGENTS)) {
        consumer.partitionsFor(names.of(t)).forEach(p -> tps.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      tps.forEach(consumer::position);
      AtomicLong bytes = new AtomicLong();
      AtomicLong records = new AtomicLong();
      AtomicLong beats = new AtomicLong();
      long end = System.nanoTime() + Duration.ofSeconds(windowSeconds).toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null && new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).contains("bench-hb")) {
            bytes.addAndGet(r.serializedKeySize() + Math.max(0, r.serializedValueSize()));
            records.incrementAndGet();
            if (r.topic().equals(names.of(Topic.AGENTS))) {
              beats.incrementAndGet();
            }
          }
        }
      }
      System.out.printf("{\"scenario\":\"heartbeat-cost-100-resources\",\"windowSeconds\":%d,\"records\":%d,\"agentBeats\":%d,\"payloadBytesPerSec\":%.1f,\"recordsPerSec\":%.2f}%n",
          windowSeconds, records.get(), beats.get(), bytes.get() / (double) windowSeconds, records.get() / (double) windowSeconds);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
