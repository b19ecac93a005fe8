package io.gatehouse.proxy.ingress;

import io.gatehouse.relay.Splice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import java.time.Duration;

/** The proxy's routing meters, registered once and shared by every event loop. */
final class IngressMetrics {
  final Counter sessionsStarted;
  final Counter sessionsRepinned;
  final Counter sessionsFailed;
  final Counter dialAttempts;
  final Counter dialUnreachable;
  final Counter dialRefused;
  final Counter dialLost;
  final Counter ejections;
  final Counter streamsSameThread;
  final Counter streamsCrossed;
  final Timer selection;
  final Relayed http;
  final Relayed tunnel;

  /** Byte counters of one protocol: {@code upstream} is user to agent, {@code downstream} back. */
  record Relayed(Counter upstream, Counter downstream) {
    /** Splices {@code user} to {@code agent}, counting every buffer on these meters. */
    Splice join(Splice.End user, Splice.End agent, Handler<Splice> onEnd) {
      return Splice.join(user, agent, upstream::increment, downstream::increment, onEnd);
    }
  }

  IngressMetrics(MeterRegistry registry) {
    sessionsStarted =
        Counter.builder("gatehouse.sessions.started")
            .description("Sessions pinned to their first agent")
            .register(registry);
    sessionsRepinned =
        Counter.builder("gatehouse.sessions.repinned")
            .description("Sessions moved to another agent because theirs was gone")
            .register(registry);
    sessionsFailed =
        Counter.builder("gatehouse.sessions.failed")
            .description("Sessions refused because no agent could take them")
            .register(registry);
    dialAttempts =
        Counter.builder("gatehouse.dial.attempts")
            .description("Attempts to hand a session to an agent")
            .register(registry);
    dialUnreachable = failures(registry, "unreachable");
    dialRefused = failures(registry, "refused");
    dialLost = failures(registry, "lost");
    ejections =
        Counter.builder("gatehouse.ejections")
            .description("Agents ejected after a failed dial")
            .register(registry);
    streamsSameThread = streams(registry, "same");
    streamsCrossed = streams(registry, "crossed");
    selection =
        Timer.builder("gatehouse.selection")
            .description("Time to choose an agent for a session from local state")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(1_000))
            .maximumExpectedValue(Duration.ofMillis(100))
            .register(registry);
    http = relayed(registry, "http");
    tunnel = relayed(registry, "tunnel");
  }

  private static Counter streams(MeterRegistry registry, String thread) {
    return Counter.builder("gatehouse.session.streams")
        .description(
            "Session streams opened on agents' tunnels: on a connection running on the user's own event loop (same) or on another (crossed: the agent has no lane on that loop)")
        .tag("thread", thread)
        .register(registry);
  }

  private static Relayed relayed(MeterRegistry registry, String protocol) {
    return new Relayed(
        bytes(registry, protocol, "upstream"), bytes(registry, protocol, "downstream"));
  }

  private static Counter bytes(MeterRegistry registry, String protocol, String direction) {
    return Counter.builder("gatehouse.relayed.bytes")
        .description(
            "Bytes relayed between users and agents: HTTP bodies and upgraded connections (http), TCP tunnels (tunnel)")
        .baseUnit("bytes")
        .tag("protocol", protocol)
        .tag("direction", direction)
        .register(registry);
  }

  private static Counter failures(MeterRegistry registry, String reason) {
    return Counter.builder("gatehouse.dial.failures")
        .description(
            "Attempts an agent failed: unreachable (dial failed), refused (agent answered with an error), lost (pooled connection closed)")
        .tag("reason", reason)
        .register(registry);
  }
}
