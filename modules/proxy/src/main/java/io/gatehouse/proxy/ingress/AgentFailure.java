package io.gatehouse.proxy.ingress;

import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.routing.FailedAttempt;
import io.gatehouse.proxy.routing.ResourceRef;
import io.gatehouse.relay.ErrorCode;

/**
 * One agent failed one attempt at a session. A {@link Kind#retryable()} failure sends the session
 * to the next candidate; any other is final and reaches the user as a 502 naming the agent.
 */
final class AgentFailure extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final Kind kind;
  private final transient FailedAttempt attempt;
  private final transient ResourceRef resource;

  private AgentFailure(Kind kind, ResourceRef resource, FailedAttempt attempt, Throwable cause) {
    super("agent " + attempt.agentId() + " failed " + resource + ": " + attempt.reason(), cause);
    this.kind = kind;
    this.resource = resource;
    this.attempt = attempt;
  }

  /** The agent could not be reached at all: ejected, and the next one is tried. */
  static AgentFailure unreachable(ResourceRef resource, String agentId, Throwable cause) {
    return new AgentFailure(
        Kind.UNREACHABLE, resource, new FailedAttempt(agentId, describe(cause), true), cause);
  }

  /**
   * The agent answered with a wire-protocol error that says another agent may succeed ({@link
   * ErrorCode#retryable()}); a draining agent is also ejected.
   */
  static AgentFailure refused(ResourceRef resource, String agentId, int status, ErrorCode code) {
    return new AgentFailure(
        code == ErrorCode.DRAINING ? Kind.DRAINING : Kind.REFUSED,
        resource,
        new FailedAttempt(
            agentId,
            status + " " + code.code(),
            true,
            code == ErrorCode.UPSTREAM_REFUSED || code == ErrorCode.UPSTREAM_TIMEOUT),
        null);
  }

  /**
   * A pooled connection turned out to be closed before the agent answered, and nothing of the
   * request had been sent that cannot be sent again: the agent gets one more try.
   */
  static AgentFailure lost(ResourceRef resource, String agentId, Throwable cause) {
    return new AgentFailure(
        Kind.LOST,
        resource,
        new FailedAttempt(agentId, "connection lost: " + describe(cause), false),
        cause);
  }

  /** The agent failed after part of the request was relayed: nothing can be retried. */
  static AgentFailure broken(ResourceRef resource, String agentId, Throwable cause) {
    return new AgentFailure(
        Kind.BROKEN, resource, new FailedAttempt(agentId, describe(cause), true), cause);
  }

  Kind kind() {
    return kind;
  }

  FailedAttempt attempt() {
    return attempt;
  }

  ResourceRef resource() {
    return resource;
  }

  static String describe(Throwable cause) {
    if (cause == null) {
      return "failed";
    }
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    return message.replace('\n', ' ').replace('\r', ' ');
  }

  enum Kind {
    UNREACHABLE(true, true),
    DRAINING(true, true),
    REFUSED(true, false),
    LOST(true, false),
    BROKEN(false, false);

    private final boolean retryable;
    private final boolean ejects;

    Kind(boolean retryable, boolean ejects) {
      this.retryable = retryable;
      this.ejects = ejects;
    }

    boolean retryable() {
      return retryable;
    }

    boolean ejects() {
      return ejects;
    }
  }
}
