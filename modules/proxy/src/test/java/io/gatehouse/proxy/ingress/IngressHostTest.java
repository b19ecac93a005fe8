package io.gatehouse.proxy.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.routing.AgentSelector;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.gatehouse.relay.tunnel.TunnelSettings;
import io.gatehouse.state.StateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class IngressHostTest {
  @TempDir Path dir;

  @Test
  void appNameIsTheFirstLabelUnderThePublicHost() {
    Vertx vertx = Vertx.vertx();
    try (StateStore store =
        StateStore.open(dir, Topic.MATERIALIZED.stream().map(Topic::suffix).toList())) {
      Ejections ejections = new Ejections(Clock.systemUTC(), Duration.ofSeconds(10));
      RoutingTable table =
          new RoutingTable(
              store, Flux.never(), () -> Instant.EPOCH, ejections, agentId -> Optional.empty());
      Ingress ingress =
          new Ingress(
              vertx,
              "p",
              "Example.COM",
              new AgentTunnels(
                  "p", TunnelSettings.DEFAULTS, 1, Clock.systemUTC(), null, null, null, null),
              Duration.ofSeconds(5),
              Duration.ofMinutes(1),
              table,
              AgentSelector.pinnedFirst(table, new SplittableRandom(1)),
              ejections,
              null,
              null,
              new SimpleMeterRegistry(),
              new Ingress.Guard(null, null, null, null));
      assertThat(ingress.appName("demo.example.com")).contains("demo");
      assertThat(ingress.appName("Demo.Example.com:3080")).contains("demo");
      assertThat(ingress.appName("demo.example.com.")).contains("demo");
      assertThat(ingress.appName("example.com")).isEmpty();
      assertThat(ingress.appName("a.b.example.com")).isEmpty();
      assertThat(ingress.appName("demo.example.org")).isEmpty();
      assertThat(ingress.appName("127.0.0.1:3080")).isEmpty();
      assertThat(ingress.appName(null)).isEmpty();
    } finally {
      vertx.close();
    }
  }
}
