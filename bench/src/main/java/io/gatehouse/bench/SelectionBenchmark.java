package io.gatehouse.bench;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.routing.AgentSelector;
import io.gatehouse.proxy.routing.Ejections;
import io.gatehouse.proxy.routing.LocalTunnel;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.routing.SessionRequest;
import io.gatehouse.proxy.session.SessionKeys;
import io.gatehouse.proxy.session.SessionPins;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;

/**
 * Selection plus pin for a new session, the proxy's per-session control-plane cost: pick a random
 * healthy agent of a random resource among {@code records} heartbeat records (100k or 1M: 10k or
 * 100k resources × 10 agents), then write the pin to local state. The Kafka write of the pin is
 * asynchronous in the proxy and is replaced here by a completed stage, so the figure is the time a
 * session waits.
 *
 * <p>{@code layout=shared} (the default): the same 10 agents serve every resource. {@code -p
 * layout=grouped}: {@code records / 10} distinct agents, each serving 10 resources with 9 others,
 * as in the {@code fleet} driver.
 */
public class SelectionBenchmark extends StoreBenchmark {
  @Param({"100000", "1000000"})
  int records;

  @Param({"shared"})
  String layout;

  private AgentSelector selector;
  private SessionPins pins;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    Fleet laidOut =
        switch (layout) {
          case "shared" -> new Fleet(records / 10, 10);
          case "grouped" -> Fleet.grouped(records / 10, 10, 10, null);
          default ->
              throw new IllegalArgumentException("layout is shared or grouped, not " + layout);
        };
    open(laidOut, "select");
    Instant now = Instant.now();
    fleet.writeHeartbeats(store);
    store.compact();
    Clock clock = Clock.systemUTC();
    // As the proxy wires it: who serves what held in memory, kept current from the change stream
    // (none here: the store is filled before).
    LocalTunnel tunnel = new LocalTunnel(now, "10.0.0.1:40000", false);
    RoutingTable table =
        new RoutingTable(
            store,
            Flux.never(),
            () -> Instant.now(),
            new Ejections(clock, Duration.ofSeconds(10)),
            // Every agent has its tunnel to this proxy: selection, not tunnels, is measured.
            agent -> Optional.of(tunnel));
    selector = AgentSelector.pinnedFirst(table, ThreadLocalRandom.current());
    // As the proxy keys pins: by the HMAC of the id, which the measured pin() includes.
    SessionKeys keys = new SessionKeys(ClusterSecret.generate(new SecureRandom()));
    pins = new SessionPins(store, Flux.never(), new NoKafka(), clock, "bench-proxy", keys);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    pins.close();
    closeStore();
  }

  @Benchmark
  public SessionPin selectAndPin() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ResourceRef resource =
        new ResourceRef(ResourceKind.APP, fleet.name(random.nextInt(fleet.resources)));
    AgentChoice choice = selector.pick(SessionRequest.newSession(resource)).result();
    byte[] id = new byte[16];
    random.nextBytes(id);
    return pins.pin(HexFormat.of().formatHex(id), resource, choice.agent(), SessionPins.HTTP, null);
  }

  /** The pin's Kafka write, which the proxy does not wait for. */
  static final class NoKafka implements EventPublisher {
    @Override
    public CompletionStage<Void> publish(Topic topic, String key, SpecificRecord value) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> publish(
        Topic topic, String key, String partitionKey, SpecificRecord value) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }
}
