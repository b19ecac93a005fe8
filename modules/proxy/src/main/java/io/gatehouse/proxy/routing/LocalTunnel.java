package io.gatehouse.proxy.routing;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What routing needs of an agent's tunnel to this proxy: where it comes from, since when, and
 * whether the agent is draining.
 *
 * @param since when the tunnel opened: a dial failure older than that says nothing about it
 * @param remote the agent's address as this proxy sees it, shown as its address
 * @param draining the agent said it is shutting down (here, or on a tunnel to another live proxy)
 * @param targets what the agent said on this tunnel of each resource's upstream, by {@code
 *     kind/name}: a live, read-only view, current to the last line the agent sent
 */
public record LocalTunnel(
    Instant since, String remote, boolean draining, Map<String, TargetHealth> targets) {
  public LocalTunnel {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(targets, "targets");
  }

  /** A tunnel on which the agent reported no target health (yet). */
  public LocalTunnel(Instant since, String remote, boolean draining) {
    this(since, remote, draining, Map.of());
  }

  /** What the agent said of {@code resourceKey}'s upstream; {@link TargetHealth#UNREPORTED}. */
  public TargetHealth target(String resourceKey) {
    TargetHealth t = targets.get(resourceKey);
    return t == null ? TargetHealth.UNREPORTED : t;
  }

  /** The tunnels of this proxy, by agent id: the seam between routing and the tunnel registry. */
  @FunctionalInterface
  public interface Lookup {
    /** The tunnel {@code agentId} has to this proxy, if it has a live one. */
    Optional<LocalTunnel> of(String agentId);
  }
}
