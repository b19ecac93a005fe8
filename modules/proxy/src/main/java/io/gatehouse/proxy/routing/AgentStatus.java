package io.gatehouse.proxy.routing;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One agent's record for one resource, with the routing verdict on it.
 *
 * @param agent where to dial it (the address of its latest beat, else of its heartbeat)
 * @param origin {@code static} or {@code dynamic}, as the agent wrote it
 * @param labels the resource's labels as this agent serves it
 * @param uri the upstream as this agent serves it
 * @param lastBeat time of the agent's last beat, or of the heartbeat when the agent has no beat
 * @param health why the agent may or may not take a new session
 */
public record AgentStatus(
    AgentEndpoint agent,
    String origin,
    Map<String, String> labels,
    String uri,
    Instant lastBeat,
    Health health) {
  public AgentStatus {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(health, "health");
  }

  public boolean healthy() {
    return health == Health.HEALTHY;
  }

  /** The verdict on an agent, in the order checked. */
  public enum Health {
    HEALTHY("healthy"),
    /** The agent has no live tunnel to this proxy: it is gone, frozen or not yet connected. */
    NO_TUNNEL("not connected to this proxy"),
    /** The agent announced it is shutting down. */
    DRAINING("draining"),
    /** A dial to it failed recently; it is skipped until its back-off ends. */
    EJECTED("ejected");

    private final String text;

    Health(String text) {
      this.text = text;
    }

    /** How the API shows it, e.g. {@code agent beat expired}. */
    public String text() {
      return text;
    }
  }
}
