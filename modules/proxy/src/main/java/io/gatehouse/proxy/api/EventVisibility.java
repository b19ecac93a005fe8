package io.gatehouse.proxy.api;

import io.gatehouse.access.Access;
import io.gatehouse.access.ApiResource;
import io.gatehouse.access.Verb;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.SessionPin;
import io.gatehouse.proxy.auth.UserDirectory;
import io.gatehouse.proxy.lock.Locks;
import io.gatehouse.proxy.routing.ResourceLabels;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.state.StateChange;
import java.util.Optional;

/**
 * Which state changes one user's event stream carries: only about what they may see. Resources and
 * heartbeats of resources they may open; sessions and audit events when they may list those (and,
 * when the event names a resource, may open it); tunnels and proxies when they may list agents;
 * locks of agents and users when they may list locks. Anything it cannot place is withheld.
 */
final class EventVisibility {
  private final ResourceLabels labels;
  private final UserDirectory directory;

  EventVisibility(ResourceLabels labels, UserDirectory directory) {
    this.labels = labels;
    this.directory = directory;
  }

  /**
   * Whether {@code user}'s stream carries {@code change}, by their access now: a role change
   * applies to streams already open, and a user removed or locked sees nothing more.
   */
  boolean visible(String user, StateChange change) {
    if (directory.lock(user).isPresent()) {
      return false;
    }
    return directory.access(user).map(a -> visible(a, change)).orElse(false);
  }

  private boolean visible(Access access, StateChange change) {
    return switch (change.topic()) {
      case RESOURCES, HEARTBEATS -> resource(change.key()).map(r -> opens(access, r)).orElse(false);
      case SESSIONS ->
          access.may(ApiResource.SESSIONS, Verb.LIST)
              && (change.isDelete() || namedResource(access, session(change)));
      case AUDIT ->
          access.may(ApiResource.AUDIT, Verb.LIST) && namedResource(access, audit(change));
      case TUNNELS, PROXIES -> access.may(ApiResource.AGENTS, Verb.LIST);
      // A logout's lock on its credential is nobody else's business, as in GET /v1/locks.
      case LOCKS ->
          !change.key().startsWith(Locks.CREDENTIAL) && access.may(ApiResource.LOCKS, Verb.LIST);
      default -> false;
    };
  }

  private boolean opens(Access access, ResourceRef ref) {
    return access.mayOpen(ref.kind(), labels.of(ref));
  }

  private boolean namedResource(Access access, Optional<ResourceRef> ref) {
    return ref.map(r -> opens(access, r)).orElse(true);
  }

  /** {@code kind/name} of a resource ({@code kind/name}) or heartbeat ({@code kind/name/agent}). */
  private static Optional<ResourceRef> resource(String key) {
    String[] parts = key.split("/", 3);
    return parts.length < 2 ? Optional.empty() : ResourceRef.parse(parts[0], parts[1]);
  }

  private static Optional<ResourceRef> session(StateChange change) {
    try {
      SessionPin pin = (SessionPin) change.value();
      return ResourceRef.parse(pin.getKind(), pin.getName());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<ResourceRef> audit(StateChange change) {
    try {
      AuditEvent e = (AuditEvent) change.value();
      return e.getKind() == null || e.getName() == null
          ? Optional.empty()
          : ResourceRef.parse(e.getKind(), e.getName());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
