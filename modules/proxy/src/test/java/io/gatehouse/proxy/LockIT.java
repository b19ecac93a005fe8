package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.agent.Agent;
import io.gatehouse.config.HostPort;
import io.gatehouse.events.Keys;
import io.gatehouse.events.Lock;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.events.topic.TopicNames;
import io.gatehouse.testkit.Eventually;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lock written to {@code gatehouse.locks} (as {@code gatehouse lock agent/ID} does) drops the
 * agent's tunnels on every proxy within a second and keeps it out until lifted.
 */
class LockIT {
  @RegisterExtension static final Cluster cluster = new Cluster();
  private static final Web web = cluster.web();

  private static HostPort a;
  private static HostPort b;
  private static Agent agent;

  @BeforeAll
  static void start() {
    HttpServer upstream = web.upstream(req -> req.response().end("ok"));
    a = cluster.proxy("proxy-lock-a").webAddress();
    b = cluster.proxy("proxy-lock-b").webAddress();
    agent = cluster.app("locked-agent", "lockme", upstream.actualPort());
    cluster.awaitHealthy(a, "app", "lockme", 1);
    cluster.awaitHealthy(b, "app", "lockme", 1);
  }

  private static void write(String target, Lock lock) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(cluster.kafka().producerProps())) {
      producer
          .send(
              new ProducerRecord<>(
                  new TopicNames(cluster.prefix).of(Topic.LOCKS),
                  Keys.bytes(target),
                  lock == null ? null : EventCodec.LOCK.encode(lock)))
          .get();
    }
  }

  @Test
  void aLockDropsTheAgentsTunnelsOnEveryProxyWithinASecondAndRefusesItUntilLifted()
      throws Exception {
    long start = System.nanoTime();
    write(
        "agent/locked-agent",
        Lock.newBuilder()
            .setTarget("agent/locked-agent")
            .setReason("host compromised")
            .setCreatedAt(Instant.now())
            .build());
    Eventually.within(Cluster.WAIT).until(() -> agent.connectedProxies().isEmpty());
    Duration dropped = Duration.ofNanos(System.nanoTime() - start);
    assertThat(dropped).as("both tunnels dropped").isLessThan(Duration.ofSeconds(1));

    Web.Response refused = web.app(a, "lockme", "/", null);
    assertThat(refused.status()).isEqualTo(503);
    // The agent keeps redialing and is refused each time: still no tunnel a while later.
    Eventually.within(Cluster.WAIT)
        .untilAsserted(() -> assertThat(web.metrics(a).sum("gatehouse_agents_alive")).isZero());
    assertThat(agent.connectedProxies()).isEmpty();

    write("agent/locked-agent", null);
    cluster.awaitHealthy(a, "app", "lockme", 1);
    cluster.awaitHealthy(b, "app", "lockme", 1);
    assertThat(web.app(b, "lockme", "/", null).body()).isEqualTo("ok");
  }
}
