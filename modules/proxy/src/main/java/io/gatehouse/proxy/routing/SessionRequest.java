package io.gatehouse.proxy.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a selector is asked: an agent for {@code resource}, preferring the session's pinned agent,
 * avoiding agents that already failed this session.
 *
 * @param resource the resource the session is for
 * @param pinnedAgent the agent the session is pinned to, if it is an existing session
 * @param failures agents tried for this session so far, in order
 */
public record SessionRequest(
    ResourceRef resource, Optional<String> pinnedAgent, List<FailedAttempt> failures) {
  public SessionRequest {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(pinnedAgent, "pinnedAgent");
    failures = List.copyOf(failures);
  }

  /** A new session: no pin, nothing tried. */
  public static SessionRequest newSession(ResourceRef resource) {
    return new SessionRequest(resource, Optional.empty(), List.of());
  }

  /** An existing session pinned to {@code agentId}. */
  public static SessionRequest pinned(ResourceRef resource, String agentId) {
    return new SessionRequest(resource, Optional.of(agentId), List.of());
  }

  /** This request after one more failed attempt. */
  public SessionRequest after(FailedAttempt failure) {
    List<FailedAttempt> more = new ArrayList<>(failures.size() + 1);
    more.addAll(failures);
    more.add(failure);
    return new SessionRequest(resource, pinnedAgent, more);
  }

  /** Agents that may not be picked again for this session. */
  public Set<String> excluded() {
    if (failures.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    Set<String> seen = new LinkedHashSet<>();
    for (FailedAttempt f : failures) {
      if (f.exhausted() || !seen.add(f.agentId())) {
        out.add(f.agentId());
      }
    }
    return out;
  }

  /** Distinct agents tried so far, in order. */
  public Set<String> tried() {
    Set<String> out = new LinkedHashSet<>();
    failures.forEach(f -> out.add(f.agentId()));
    return out;
  }
}
