package io.gatehouse.proxy.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Picks one agent of a tier (the candidates equally good by target health) as a {@link
 * RoutingPolicy} says, and says why. Never fails on a non-empty tier: a policy that finds nothing
 * to prefer falls back to a random pick among all, and says so.
 */
final class TierChooser {
  /** The agent picked, and why, for the audit trail. */
  record Pick(Candidate candidate, String reason) {}

  static final String ONLY = "only candidate";

  private final Optional<String> zone;
  private final SessionCounts sessions;
  private final RandomGenerator random;

  /**
   * @param zone this proxy's zone, which same-zone-first prefers
   * @param sessions the open sessions of each agent, which least-sessions compares
   * @param random the source of randomness; tests pass a seeded one
   */
  TierChooser(Optional<String> zone, SessionCounts sessions, RandomGenerator random) {
    this.zone = zone;
    this.sessions = sessions;
    this.random = random;
  }

  /**
   * @param tier the candidates, not empty
   */
  Pick choose(RoutingPolicy policy, List<Candidate> tier) {
    return switch (policy) {
      case RANDOM -> tier.size() == 1 ? new Pick(tier.get(0), ONLY) : new Pick(any(tier), "random");
      case SAME_ZONE_FIRST -> sameZoneFirst(tier);
      case LEAST_SESSIONS -> leastSessions(tier);
    };
  }

  private Candidate any(List<Candidate> tier) {
    return tier.size() == 1 ? tier.get(0) : tier.get(random.nextInt(tier.size()));
  }

  private Pick sameZoneFirst(List<Candidate> tier) {
    if (zone.isEmpty()) {
      return new Pick(any(tier), "fallback: this proxy names no zone");
    }
    String here = zone.get();
    List<Candidate> local = new ArrayList<>(tier.size());
    for (Candidate c : tier) {
      if (c.zone().equals(here)) {
        local.add(c);
      }
    }
    return local.isEmpty()
        ? new Pick(any(tier), "fallback: no healthy agent in zone " + here)
        : new Pick(any(local), "same-zone " + here);
  }

  /** The power of two choices: two distinct agents at random, the one with fewer sessions. */
  private Pick leastSessions(List<Candidate> tier) {
    if (tier.size() == 1) {
      return new Pick(tier.get(0), ONLY);
    }
    int first = random.nextInt(tier.size());
    int second = random.nextInt(tier.size() - 1);
    second = second >= first ? second + 1 : second;
    Candidate a = tier.get(first);
    Candidate b = tier.get(second);
    int openA = sessions.open(a.agent().agentId());
    int openB = sessions.open(b.agent().agentId());
    // A tie keeps the first draw, itself random.
    return openA <= openB
        ? new Pick(a, "least-sessions " + openA + " vs " + openB)
        : new Pick(b, "least-sessions " + openB + " vs " + openA);
  }
}
