package io.gatehouse.proxy.routing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What routing needs of an agent's tunnel to this proxy: where it comes from, since when, and
 * whether the agent is draining.
 *
 * @param since when the tunnel opened: a dial failure older than that says nothing about it
 * @param remote the agent's address as this proxy sees it, shown as its address
 * @param draining the agent said it is shutting down (here, or on a tunnel to another live proxy)
 */
public record LocalTunnel(Instant since, String remote, boolean draining) {
  public LocalTunnel {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(remote, "remote");
  }

  /** The tunnels of this proxy, by agent id: the seam between routing and the tunnel registry. */
  @FunctionalInterface
  public interface Lookup {
    /** The tunnel {@code agentId} has to this proxy, if it has a live one. */
    Optional<LocalTunnel> of(String agentId);
  }
}
