package io.gatehouse.agent.internal.relay;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.relay.ErrorCode;
import io.gatehouse.relay.Splice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.net.NetSocket;
import java.util.EnumMap;
import java.util.Map;

/**
 * The relay's meters, registered once: {@code gatehouse.agent.upstream.dial.failures} (tags {@code
 * kind} of resource and {@code reason} refused/timeout/destination, the last for dials the
 * destination check refused) and {@code gatehouse.agent.relayed.bytes} (tag {@code direction}:
 * {@code upstream} is proxy to upstream, {@code downstream} the way back).
 */
public final class RelayMetrics {
  private final Map<ResourceKind, Counter> refused = new EnumMap<>(ResourceKind.class);
  private final Map<ResourceKind, Counter> timedOut = new EnumMap<>(ResourceKind.class);
  private final Map<ResourceKind, Counter> notDialed = new EnumMap<>(ResourceKind.class);
  private final Counter upstreamBytes;
  private final Counter downstreamBytes;

  public RelayMetrics(MeterRegistry registry) {
    for (ResourceKind kind : ResourceKind.values()) {
      refused.put(kind, dialFailures(registry, kind, "refused"));
      timedOut.put(kind, dialFailures(registry, kind, "timeout"));
      notDialed.put(kind, dialFailures(registry, kind, "destination"));
    }
    upstreamBytes = bytes(registry, "upstream");
    downstreamBytes = bytes(registry, "downstream");
  }

  private static Counter dialFailures(MeterRegistry registry, ResourceKind kind, String reason) {
    return Counter.builder("gatehouse.agent.upstream.dial.failures")
        .description(
            "Upstreams that refused a connection or did not answer in time, and dials the"
                + " destination check refused")
        .tag("kind", kind.word())
        .tag("reason", reason)
        .register(registry);
  }

  private static Counter bytes(MeterRegistry registry, String direction) {
    return Counter.builder("gatehouse.agent.relayed.bytes")
        .description("Bytes relayed between proxies and upstreams (bodies and tunnel streams)")
        .baseUnit("bytes")
        .tag("direction", direction)
        .register(registry);
  }

  void dialFailed(ResourceKind kind, ErrorCode failure) {
    (failure == ErrorCode.UPSTREAM_TIMEOUT ? timedOut : refused).get(kind).increment();
  }

  void destinationRefused(ResourceKind kind) {
    notDialed.get(kind).increment();
  }

  /** Splices the proxy's stream to {@code upstream}, counting bytes. */
  void splice(Splice.End proxy, NetSocket upstream) {
    Splice.join(
        proxy,
        Splice.End.of(upstream),
        upstreamBytes::increment,
        downstreamBytes::increment,
        s -> {});
  }

  Counter upstreamBytes() {
    return upstreamBytes;
  }

  Counter downstreamBytes() {
    return downstreamBytes;
  }
}
