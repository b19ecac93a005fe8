package io.gatehouse.proxy.routing;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/** See {@link AgentSelector#pinnedFirst}. */
final class PinnedFirstSelector implements AgentSelector {
  private final RoutingTable table;
  private final RandomGenerator random;

  PinnedFirstSelector(RoutingTable table, RandomGenerator random) {
    this.table = table;
    this.random = random;
  }

  @Override
  public Future<AgentChoice> pick(SessionRequest request) {
    List<Candidate> statuses = table.candidates(request.resource());
    Set<String> excluded = request.excluded();
    List<AgentEndpoint> candidates = new ArrayList<>(statuses.size());
    String pinnedId = request.pinnedAgent().orElse(null);
    AgentEndpoint pinned = null;
    for (Candidate s : statuses) {
      if (s.healthy() && !excluded.contains(s.agent().agentId())) {
        candidates.add(s.agent());
        if (s.agent().agentId().equals(pinnedId)) {
          pinned = s.agent();
        }
      }
    }
    if (pinned != null) {
      return Future.succeededFuture(
          new AgentChoice(request.resource(), pinned, true, candidates.size()));
    }
    if (!candidates.isEmpty()) {
      AgentEndpoint chosen =
          candidates.size() == 1
              ? candidates.get(0)
              : candidates.get(random.nextInt(candidates.size()));
      return Future.succeededFuture(
          new AgentChoice(request.resource(), chosen, false, candidates.size()));
    }
    if (!request.failures().isEmpty()) {
      return Future.failedFuture(
          new RoutingFailure(
              RoutingFailure.Reason.ALL_AGENTS_FAILED, request.resource(), request.failures()));
    }
    if (statuses.isEmpty() && !table.isKnown(request.resource())) {
      return Future.failedFuture(
          new RoutingFailure(
              RoutingFailure.Reason.UNKNOWN_RESOURCE, request.resource(), List.of()));
    }
    return Future.failedFuture(
        new RoutingFailure(RoutingFailure.Reason.NO_ALIVE_AGENT, request.resource(), List.of()));
  }
}
