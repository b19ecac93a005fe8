package io.gatehouse.proxy.routing;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One agent's record for one resource, with the routing verdict on it.
 *
 * @param agent the agent, at its address as its tunnel here shows it (else as its heartbeat says)
 * @param origin {@code static} or {@code dynamic}, as the agent wrote it
 * @param labels the resource's labels as this agent serves it
 * @param uri the upstream as this agent serves it
 * @param lastBeat time of the agent's latest heartbeat for the resource
 * @param health why the agent may or may not take a new session
 * @param target what the agent's checks say of the upstream: as its tunnel here last said, else as
 *     its heartbeat record says
 * @param zone the zone the agent runs in, as its heartbeat says; {@code ""} when it named none
 */
public record AgentStatus(
    AgentEndpoint agent,
    String origin,
    Map<String, String> labels,
    String uri,
    Instant lastBeat,
    Health health,
    TargetHealth target,
    String zone) {
  public AgentStatus {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(zone, "zone");
  }

  public boolean healthy() {
    return health == Health.HEALTHY;
  }

  /** The verdict on an agent, in the order checked. */
  public enum Health {
    HEALTHY("healthy"),
    /** The agent has no live tunnel to this proxy: it is gone, frozen or not yet connected. */
    NO_TUNNEL("not connected to this proxy"),
    /** The agent said it is shutting down (on its control stream). */
    DRAINING("draining"),
    /** A dial to it failed recently; it is skipped until its back-off ends. */
    EJECTED("ejected");

    private final String text;

    Health(String text) {
      this.text = text;
    }

    /** How the API shows it, e.g. {@code not connected to this proxy}. */
    public String text() {
      return text;
    }
  }
}
