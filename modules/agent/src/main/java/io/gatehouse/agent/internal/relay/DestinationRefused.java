package io.gatehouse.agent.internal.relay;

import io.gatehouse.agent.AgentException;
import io.gatehouse.agent.DestinationRefusal;

/** A dial not made: the upstream's host resolved where the resource's watchers do not allow. */
final class DestinationRefused extends AgentException {
  private static final long serialVersionUID = 1L;

  private final transient DestinationRefusal refusal;

  DestinationRefused(String resource, DestinationRefusal refusal) {
    super(resource + ": " + refusal.detail());
    this.refusal = refusal;
  }

  DestinationRefusal refusal() {
    return refusal;
  }
}
