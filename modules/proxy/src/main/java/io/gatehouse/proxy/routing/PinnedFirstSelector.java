package io.gatehouse.proxy.routing;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/** See {@link AgentSelector#pinnedFirst}. */
final class PinnedFirstSelector implements AgentSelector {
  private final RoutingTable table;
  private final RoutingPolicies policies;
  private final TierChooser chooser;

  PinnedFirstSelector(
      RoutingTable table,
      RoutingPolicies policies,
      SessionCounts sessions,
      RandomGenerator random) {
    this.table = table;
    this.policies = policies;
    this.chooser = new TierChooser(policies.zone(), sessions, random);
  }

  @Override
  public Future<AgentChoice> pick(SessionRequest request) {
    List<Candidate> statuses = table.candidates(request.resource());
    Set<String> excluded = request.excluded();
    String pinnedId = request.pinnedAgent().orElse(null);
    Candidate pinned = null;
    // Only the agents of the best target health take part: healthy, else unknown, else unhealthy.
    TargetHealth.State best = null;
    for (Candidate s : statuses) {
      if (s.healthy() && !excluded.contains(s.agent().agentId())) {
        TargetHealth.State state = s.target().state();
        best = best == null || state.compareTo(best) < 0 ? state : best;
        if (s.agent().agentId().equals(pinnedId)) {
          pinned = s;
        }
      }
    }
    List<Candidate> candidates = new ArrayList<>(statuses.size());
    for (Candidate s : statuses) {
      if (s.healthy() && s.target().state() == best && !excluded.contains(s.agent().agentId())) {
        candidates.add(s);
      }
    }
    RoutingPolicy policy = policies.of(request.resource());
    // A pinned session stays where it is unless its agent's target is down and another's is not.
    if (pinned != null
        && (pinned.target().state() != TargetHealth.State.UNHEALTHY
            || best == TargetHealth.State.UNHEALTHY)) {
      return Future.succeededFuture(
          new AgentChoice(
              request.resource(), pinned.agent(), true, candidates.size(), policy, "pinned", ""));
    }
    if (!candidates.isEmpty()) {
      // The policy chooses within the best target health, never across it.
      TierChooser.Pick pick = chooser.choose(policy, candidates);
      return Future.succeededFuture(
          new AgentChoice(
              request.resource(),
              pick.candidate().agent(),
              false,
              candidates.size(),
              policy,
              pick.reason(),
              pinnedId == null ? "" : leftPin(statuses, pinnedId)));
    }
    if (!request.failures().isEmpty()) {
      return Future.failedFuture(
          new RoutingFailure(
              targetDown(statuses, request)
                  ? RoutingFailure.Reason.TARGET_DOWN
                  : RoutingFailure.Reason.ALL_AGENTS_FAILED,
              request.resource(),
              request.failures()));
    }
    if (statuses.isEmpty() && !table.isKnown(request.resource())) {
      return Future.failedFuture(
          new RoutingFailure(
              RoutingFailure.Reason.UNKNOWN_RESOURCE, request.resource(), List.of()));
    }
    return Future.failedFuture(
        new RoutingFailure(RoutingFailure.Reason.NO_ALIVE_AGENT, request.resource(), List.of()));
  }

  /**
   * Whether the resource's upstream, not its agents, is to blame: every agent that is alive here
   * reports its target unhealthy, or every agent tried said it could not reach the upstream.
   */
  private static boolean targetDown(List<Candidate> statuses, SessionRequest request) {
    if (request.failures().stream().allMatch(FailedAttempt::upstream)) {
      return true;
    }
    boolean anyAlive = false;
    for (Candidate s : statuses) {
      if (s.healthy()) {
        anyAlive = true;
        if (s.target().state() != TargetHealth.State.UNHEALTHY) {
          return false;
        }
      }
    }
    return anyAlive;
  }

  /** What the pinned agent {@code pinnedId} is, that a fresh pick was made: see AgentChoice. */
  private static String leftPin(List<Candidate> statuses, String pinnedId) {
    for (Candidate s : statuses) {
      if (s.agent().agentId().equals(pinnedId)) {
        return s.healthy() ? "serving a target that is down" : s.health().text();
      }
    }
    return "no longer serving the resource";
  }
}
