package io.gatehouse.proxy;

import io.gatehouse.agent.Agent;
import io.gatehouse.agent.AgentConfig;
import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.proxy.config.ProxyConfig;
import io.gatehouse.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Real agents and proxies of one test class, on one broker under one topic prefix; closes what it
 * started (agents first, then proxies).
 */
final class Cluster implements AutoCloseable {
  private final KafkaBrokerExtension kafka;
  final String prefix;
  private final Path dataDir;
  private final List<Agent> agents = new ArrayList<>();
  private final List<Proxy> proxies = new ArrayList<>();

  Cluster(KafkaBrokerExtension kafka, Path dataDir) {
    this.kafka = kafka;
    this.prefix = kafka.uniquePrefix("proxy").replaceAll("\\.$", "");
    this.dataDir = dataDir;
  }

  Proxy proxy(String id) {
    return proxy(id, Duration.ofSeconds(75));
  }

  Proxy proxy(String id, Duration responseTimeout) {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            proxy:
              id: %s
              kafka: { bootstrap: "%s" }
              data_dir: "%s"
              listen: "127.0.0.1:0"
              public_host: localhost
              topic_prefix: %s
              routing: { eject_backoff: 10s, dial_timeout: 2s, response_timeout: %s }
            """
                .formatted(
                    id,
                    kafka.bootstrapServers(),
                    dataDir.resolve(id),
                    prefix,
                    responseTimeout.toMillis() + "ms"),
            id + ".yaml");
    Proxy proxy = Proxy.start(config);
    proxies.add(proxy);
    return proxy;
  }

  /** An agent with {@code services} as its YAML services sections and a metrics port. */
  Agent agent(String id, String services) {
    String yaml =
        """
        agent:
          id: %s
          kafka: { bootstrap: "%s" }
          listen: "127.0.0.1:0"
          topic_prefix: %s
          relay: { connect_timeout: 2s }
          metrics: { listen: "127.0.0.1:0" }
        %s
        """
            .formatted(id, kafka.bootstrapServers(), prefix, services);
    Agent agent = Agent.start(AgentConfig.parse(yaml, id + ".yaml"));
    agents.add(agent);
    return agent;
  }

  /** An agent serving one HTTP app. */
  Agent app(String id, String name, int upstreamPort) {
    return agent(
        id,
        "app_service:\n  apps:\n    - { name: %s, uri: \"http://127.0.0.1:%d\" }"
            .formatted(name, upstreamPort));
  }

  /**
   * Records that make {@code address} look like a healthy agent serving {@code kind/name} for the
   * next two minutes, with no agent behind them.
   */
  void fakeAgent(String agentId, String address, String kind, String name) throws Exception {
    TopicNames names = new TopicNames(prefix);
    Instant now = Instant.now();
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind(kind)
            .setName(name)
            .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:9").build())
            .setAgentId(agentId)
            .setAgentAddress(address)
            .setOrigin("static")
            .setSequence(1)
            .setTime(now)
            .build();
    AgentBeat beat =
        AgentBeat.newBuilder()
            .setAgentId(agentId)
            .setAddress(address)
            .setVersion("fake")
            .setTime(now)
            .setTtlMillis(Duration.ofMinutes(2).toMillis())
            .setStartedAt(now)
            .build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer
          .send(
              new ProducerRecord<>(
                  names.of(Topic.HEARTBEATS),
                  Keys.bytes(Keys.heartbeat(kind, name, agentId)),
                  EventCodec.RESOURCE_HEARTBEAT.encode(hb)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  names.of(Topic.AGENTS), Keys.bytes(agentId), EventCodec.AGENT_BEAT.encode(beat)))
          .get();
    }
  }

  /** Every audit event written so far, in partition order. */
  List<AuditEvent> audit() {
    String topic = new TopicNames(prefix).of(Topic.AUDIT);
    Map<String, Object> props = new HashMap<>(kafka.consumerProps());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<AuditEvent> out = new ArrayList<>();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(EventCodec.AUDIT_EVENT.decode(r.value()));
        }
      }
      return out;
    }
  }

  /** Audit events of one type about one session or resource key. */
  List<AuditEvent> audit(String type, String subject) {
    return audit().stream()
        .filter(e -> e.getType().equals(type))
        .filter(
            e ->
                subject.equals(e.getSessionId()) || subject.equals(e.getKind() + "/" + e.getName()))
        .toList();
  }

  Set<String> agentIds() {
    return agents.stream().map(Agent::id).collect(Collectors.toSet());
  }

  @Override
  public void close() {
    agents.forEach(Agent::kill);
    proxies.forEach(Proxy::close);
  }
}
