package io.gatehouse.proxy;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.proxy.routing.ResourceCensus;
import io.gatehouse.proxy.routing.RoutingTable;
import io.gatehouse.proxy.session.SessionPins;
import io.gatehouse.proxy.tunnel.AgentTunnels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Gauges over the proxy's view of the cluster, computed when scraped from in-memory state: {@code
 * gatehouse.agents.alive}, {@code gatehouse.resources} (tags {@code kind} and {@code health}) and
 * {@code gatehouse.sessions.active}. The resource census is computed once per scrape, not once per
 * series: it is kept for {@link #CENSUS_TTL}.
 */
final class StateGauges {
  private static final Duration CENSUS_TTL = Duration.ofSeconds(1);

  private final RoutingTable table;
  private Census census;

  private record Census(long takenAt, ResourceCensus counts) {}

  private StateGauges(RoutingTable table) {
    this.table = table;
  }

  static void register(
      MeterRegistry registry, RoutingTable table, SessionPins pins, AgentTunnels tunnels) {
    StateGauges gauges = new StateGauges(table);
    Gauge.builder("gatehouse.agents.alive", () -> tunnels.connected().size())
        .description("Agents with a live tunnel to this proxy")
        .register(registry);
    Gauge.builder("gatehouse.tunnel.lanes", tunnels::lanes)
        .description(
            "Agents' lanes to this proxy: connections next to their main tunnels, one per further event loop")
        .register(registry);
    for (ResourceKind kind : ResourceKind.values()) {
      resources(registry, kind, "healthy", () -> gauges.census().healthy(kind));
      resources(registry, kind, "unhealthy", () -> gauges.census().unhealthy(kind));
    }
    Gauge.builder("gatehouse.sessions.active", pins::count)
        .description("Session pins in this proxy's state, of every proxy (the same on each proxy)")
        .register(registry);
  }

  private static void resources(
      MeterRegistry registry, ResourceKind kind, String health, Supplier<Number> count) {
    Gauge.builder("gatehouse.resources", count)
        .description(
            "Resources defined or served: healthy with at least one healthy agent, unhealthy with none")
        .tag("kind", kind.word())
        .tag("health", health)
        .register(registry);
  }

  private synchronized ResourceCensus census() {
    long now = System.nanoTime();
    if (census == null || now - census.takenAt() > CENSUS_TTL.toNanos()) {
      census = new Census(now, table.census());
    }
    return census.counts();
  }
}
