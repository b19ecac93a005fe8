package io.gatehouse.proxy.routing;

import io.gatehouse.proxy.ProxyException;
import io.gatehouse.relay.ErrorCode;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * No agent could take a session. The {@link Reason} decides what the user sees; the message names
 * the resource and, when agents were tried, each of them and why it failed.
 */
public final class RoutingFailure extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final Reason reason;
  private final transient ResourceRef resource;
  private final transient List<FailedAttempt> attempts;

  public RoutingFailure(Reason reason, ResourceRef resource, List<FailedAttempt> attempts) {
    super(message(reason, resource, attempts));
    this.reason = Objects.requireNonNull(reason, "reason");
    this.resource = resource;
    this.attempts = List.copyOf(attempts);
  }

  public Reason reason() {
    return reason;
  }

  public ResourceRef resource() {
    return resource;
  }

  /**
   * The agents tried, in order, with why each failed; empty unless {@link Reason#ALL_AGENTS_FAILED}
   * or {@link Reason#TARGET_DOWN}.
   */
  public List<FailedAttempt> attempts() {
    return attempts;
  }

  /** Why no agent took the session, with the HTTP status and error code users see. */
  public enum Reason {
    /** Nothing is known about {@code kind/name}: no definition, no agent record. */
    UNKNOWN_RESOURCE(ErrorCode.UNKNOWN_RESOURCE),
    /** The resource is known but no agent that serves it is healthy. */
    NO_ALIVE_AGENT(ErrorCode.NO_ALIVE_AGENT),
    /** Every healthy agent was tried and each failed. */
    ALL_AGENTS_FAILED(ErrorCode.ALL_AGENTS_FAILED),
    /**
     * The agents are alive but the upstream behind them is down: their checks say so, or every one
     * tried could not reach it.
     */
    TARGET_DOWN(ErrorCode.TARGET_DOWN);

    private final ErrorCode code;

    Reason(ErrorCode code) {
      this.code = code;
    }

    public int status() {
      return code.status();
    }

    /** The {@code Gatehouse-Error} code. */
    public String code() {
      return code.code();
    }
  }

  private static String message(Reason reason, ResourceRef resource, List<FailedAttempt> attempts) {
    return switch (reason) {
      case UNKNOWN_RESOURCE -> "unknown resource " + resource;
      case NO_ALIVE_AGENT -> "no healthy agent serves " + resource + " right now";
      case TARGET_DOWN ->
          "the target of "
              + resource
              + " is down: its agents cannot reach it (tried "
              + attempts.stream().map(FailedAttempt::toString).collect(Collectors.joining(", "))
              + ")";
      case ALL_AGENTS_FAILED -> {
        long agents = attempts.stream().map(FailedAttempt::agentId).distinct().count();
        yield "no agent could serve "
            + resource
            + ": tried "
            + agents
            + (agents == 1 ? " agent: " : " agents: ")
            + attempts.stream().map(FailedAttempt::toString).collect(Collectors.joining(", "));
      }
    };
  }
}
