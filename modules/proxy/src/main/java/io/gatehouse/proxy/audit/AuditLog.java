package io.gatehouse.proxy.audit;

import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.proxy.routing.AgentChoice;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.proxy.routing.RoutingFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Writes {@link AuditEvent}s to {@code gatehouse.audit}: who did what to which resource, through
 * which agent and proxy, with what outcome and how many bytes. Session events are keyed by the
 * session's key ({@link io.gatehouse.proxy.session.SessionKeys}), which is also their {@code
 * sessionId}: never the session id itself, a bearer secret. Resource events are keyed by {@code
 * kind/name}, join-token events by {@code token/<id>} and joins by agent id. So each subject's
 * events stay in order. Thread-safe.
 */
public final class AuditLog {
  public static final String SESSION_START = "session.start";
  public static final String SESSION_END = "session.end";
  public static final String SESSION_REPIN = "session.repin";
  public static final String SESSION_FAIL = "session.fail";
  public static final String RESOURCE_CREATE = "resource.create";
  public static final String RESOURCE_UPDATE = "resource.update";
  public static final String RESOURCE_DELETE = "resource.delete";
  public static final String TOKEN_CREATE = "token.create";
  public static final String TOKEN_DELETE = "token.delete";
  public static final String JOIN_ACCEPTED = "join.accepted";
  public static final String JOIN_REFUSED = "join.refused";
  public static final String LOCK_CREATE = "lock.create";
  public static final String LOCK_DELETE = "lock.delete";
  public static final String AGENT_DRAIN = "agent.drain";
  public static final String LOGIN = "user.login";
  public static final String LOGOUT = "user.logout";
  public static final String ACCESS_DENIED = "access.denied";
  public static final String USER_CREATE = "user.create";
  public static final String USER_UPDATE = "user.update";
  public static final String USER_DELETE = "user.delete";
  public static final String ROLE_CREATE = "role.create";
  public static final String ROLE_UPDATE = "role.update";
  public static final String ROLE_DELETE = "role.delete";

  private final EventPublisher publisher;
  private final Clock clock;
  private final String proxyId;

  public AuditLog(EventPublisher publisher, Clock clock, String proxyId) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.proxyId = Objects.requireNonNull(proxyId, "proxyId");
  }

  /**
   * A session was pinned to its first agent, picked as {@code choice} says: its {@code policy} and
   * the {@code reason} for the pick go in the details.
   */
  public void sessionStarted(SessionPin pin, String remote, AgentChoice choice) {
    publish(
        session(SESSION_START, pin, "ok")
            .setDetails(
                details(
                    "remote",
                    remote,
                    "transport",
                    pin.getTransport(),
                    "policy",
                    choice.policy().word(),
                    "reason",
                    choice.reason()))
            .build());
  }

  /**
   * A session ended.
   *
   * @param outcome {@code closed} (TCP connection closed), {@code expired} (HTTP idle timeout) or
   *     {@code lost} (its proxy stopped without closing it)
   */
  public void sessionEnded(SessionPin pin, String outcome, long bytesIn, long bytesOut) {
    publish(
        session(SESSION_END, pin, outcome)
            .setBytesIn(bytesIn)
            .setBytesOut(bytesOut)
            .setDetails(details("transport", pin.getTransport()))
            .build());
  }

  /**
   * A session's agent was gone, and the session moved to {@code pin}'s agent, picked as {@code
   * choice} says: {@code reason} is why it moved, {@code policy} and {@code pick} how its new agent
   * was chosen.
   */
  public void sessionRepinned(SessionPin pin, String fromAgent, String why, AgentChoice choice) {
    publish(
        session(SESSION_REPIN, pin, "ok")
            .setDetails(
                details(
                    "from",
                    fromAgent,
                    "reason",
                    why,
                    "transport",
                    pin.getTransport(),
                    "policy",
                    choice.policy().word(),
                    "pick",
                    choice.reason()))
            .build());
  }

  /**
   * No agent could take a session; the user got an error.
   *
   * @param sessionKey the session's key ({@link io.gatehouse.proxy.session.SessionPins#key})
   */
  public void selectionFailed(String sessionKey, RoutingFailure failure, String remote) {
    AuditEvent.Builder e =
        base(SESSION_FAIL, failure.reason().code())
            .setKind(failure.resource().kind().word())
            .setName(failure.resource().name())
            .setSessionId(sessionKey);
    Map<String, String> details = details("remote", remote, "error", failure.getMessage());
    if (!failure.attempts().isEmpty()) {
      details.put(
          "tried",
          String.join(",", failure.attempts().stream().map(a -> a.agentId()).distinct().toList()));
    }
    publish(e.setDetails(details).build());
  }

  /**
   * A resource definition was created, updated or deleted through the API by {@code user}; {@code
   * before} and {@code after} are its documents (JSON), {@code null} when it did not or no longer
   * exists.
   */
  public CompletionStage<Void> resourceChanged(
      String type, ResourceRef resource, String user, String before, String after, String remote) {
    return publish(
        base(type, "ok")
            .setUser(user)
            .setKind(resource.kind().word())
            .setName(resource.name())
            .setDetails(details("before", before, "after", after, "remote", remote))
            .build());
  }

  /**
   * A join token was issued or removed ({@link #TOKEN_CREATE}, {@link #TOKEN_DELETE}), keyed {@code
   * token/<id>}. {@code details} never holds the token itself.
   */
  public CompletionStage<Void> tokenChanged(
      String type, String tokenId, String user, Map<String, String> details) {
    Map<String, String> all = details("token", tokenId);
    all.putAll(details);
    return publish(base(type, "ok").setUser(user).setDetails(all).build(), "token/" + tokenId);
  }

  /**
   * A lock was placed or lifted ({@link #LOCK_CREATE}, {@link #LOCK_DELETE}), keyed by its target
   * ({@code agent/<id>}).
   */
  public CompletionStage<Void> lockChanged(
      String type, String target, String user, Map<String, String> details) {
    Map<String, String> all = details("target", target);
    all.putAll(details);
    return publish(base(type, "ok").setUser(user).setDetails(all).build(), target);
  }

  /**
   * {@code user} asked agent {@code agentId} to drain ({@link #AGENT_DRAIN}), keyed {@code
   * agent/<id>}: outcome {@code ok} once the agent said it is draining, else {@code failed} with
   * the reason.
   */
  public CompletionStage<Void> agentDrain(
      String agentId, String user, String outcome, Map<String, String> details) {
    return publish(
        base(AGENT_DRAIN, outcome).setUser(user).setAgentId(agentId).setDetails(details).build(),
        "agent/" + agentId);
  }

  /**
   * An agent presented a join token and was let in ({@code outcome} {@code ok}, {@link
   * #JOIN_ACCEPTED}) or refused ({@code outcome} {@code denied}, {@link #JOIN_REFUSED}, with the
   * reason); keyed by the agent id. {@code tokenId} is the token's public id, {@code null} when no
   * such token is known.
   */
  public CompletionStage<Void> join(
      String type, String tokenId, String agentId, String outcome, Map<String, String> details) {
    Map<String, String> all = details("token", tokenId);
    all.putAll(details);
    return publish(base(type, outcome).setAgentId(agentId).setDetails(all).build(), agentId);
  }

  /**
   * A login attempt, keyed by {@code user/<name>}: outcome {@code ok}, {@code failed} (with the
   * reason: wrong password, unknown user, locked, rate-limited) or {@code denied}.
   *
   * @param user null when it is not known (a single sign-on answer of no login in progress)
   * @param method {@code password}, {@code link} or {@code sso}
   */
  public CompletionStage<Void> login(
      String user, String method, String outcome, String reason, String remote) {
    return publish(
        base(LOGIN, outcome)
            .setUser(user)
            .setDetails(details("method", method, "reason", reason, "remote", remote))
            .build(),
        "user/" + (user == null ? "anonymous" : user));
  }

  /**
   * A user logged out: credential {@code credentialId} (its {@code jti}, never the credential) is
   * revoked on every proxy until {@code expiresAt}. Keyed by {@code user/<name>}.
   */
  public CompletionStage<Void> logout(
      String user, String credentialId, Instant expiresAt, String remote) {
    return publish(
        base(LOGOUT, "ok")
            .setUser(user)
            .setDetails(
                details(
                    "credential", credentialId, "expires", expiresAt.toString(), "remote", remote))
            .build(),
        "user/" + user);
  }

  /**
   * A user was refused: opening a resource ({@code kind}, {@code name} set) or an API action
   * ({@code action}, e.g. {@code create users}), keyed by {@code user/<name>}.
   */
  public CompletionStage<Void> accessDenied(
      String user, String kind, String name, String action, String reason, String remote) {
    return publish(
        base(ACCESS_DENIED, "denied")
            .setUser(user)
            .setKind(kind)
            .setName(name)
            .setDetails(details("action", action, "reason", reason, "remote", remote))
            .build(),
        "user/" + (user == null ? "anonymous" : user));
  }

  /**
   * A user or role was created, changed or removed by {@code by}; {@code before} and {@code after}
   * describe it (JSON, never a password hash), {@code null} when it did not or no longer exists.
   * Keyed by {@code user/<name>} or {@code role/<name>}.
   */
  public CompletionStage<Void> accountChanged(
      String type, String subject, String by, String before, String after, String remote) {
    return publish(
        base(type, "ok")
            .setUser(by)
            .setName(subject.substring(subject.indexOf('/') + 1))
            .setKind(subject.substring(0, subject.indexOf('/')))
            .setDetails(details("before", before, "after", after, "remote", remote))
            .build(),
        subject);
  }

  private AuditEvent.Builder session(String type, SessionPin pin, String outcome) {
    return base(type, outcome)
        .setUser(pin.getUser())
        .setKind(pin.getKind())
        .setName(pin.getName())
        .setSessionId(pin.getSessionId())
        .setAgentId(pin.getAgentId());
  }

  private AuditEvent.Builder base(String type, String outcome) {
    return AuditEvent.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setType(type)
        .setTime(clock.instant())
        .setProxyId(proxyId)
        .setOutcome(outcome);
  }

  private CompletionStage<Void> publish(AuditEvent event) {
    String key =
        event.getSessionId() != null
            ? event.getSessionId()
            : event.getKind() + "/" + event.getName();
    return publish(event, key);
  }

  private CompletionStage<Void> publish(AuditEvent event, String key) {
    return publisher.publish(Topic.AUDIT, key, event);
  }

  private static Map<String, String> details(String... pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        out.put(pairs[i], pairs[i + 1]);
      }
    }
    return out;
  }
}
