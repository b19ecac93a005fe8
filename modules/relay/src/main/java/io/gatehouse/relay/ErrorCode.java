package io.gatehouse.relay;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code Gatehouse-Error} code that the agent and the proxy's ingress answer with, the HTTP
 * status it goes with, and whether another agent may succeed after it ({@code
 * docs/wire-protocol.md}, "Errors"; {@code docs/proxy.md}). Both ends take codes from here, so a
 * code means one thing and has one status everywhere.
 */
public enum ErrorCode {
  /** A missing or malformed request: a {@code Gatehouse-*} header, a tunnel path or upgrade. */
  BAD_REQUEST("bad-request", 400, false),
  /** The agent does not serve the resource. */
  NOT_SERVING("not-serving", 421, true),
  /** The agent is shutting down. */
  DRAINING("draining", 503, true),
  /** The upstream refused the agent's connection. */
  UPSTREAM_REFUSED("upstream-refused", 502, true),
  /** The upstream did not accept the connection or answer in time. */
  UPSTREAM_TIMEOUT("upstream-timeout", 504, true),
  /** Nothing is known about the resource: no definition, no agent record. */
  UNKNOWN_RESOURCE("unknown-resource", 404, false),
  /** The resource is known but no agent that serves it is healthy. */
  NO_ALIVE_AGENT("no-alive-agent", 503, false),
  /** Every healthy agent was tried and each failed. */
  ALL_AGENTS_FAILED("all-agents-failed", 502, false),
  /**
   * The agents that serve the resource are alive, but its upstream is down: their health checks say
   * so, or none of them could reach it.
   */
  TARGET_DOWN("target-down", 503, false),
  /** An agent failed after part of the request was relayed: nothing could be retried. */
  AGENT_FAILED("agent-failed", 502, false),
  /** A document (e.g. a resource definition) did not validate. */
  INVALID_DOCUMENT("invalid-document", 400, false),
  /** The API has no such endpoint or file. */
  NOT_FOUND("not-found", 404, false),
  /** A resource served from agent configuration, which the API cannot change or remove. */
  STATIC_RESOURCE("static-resource", 409, false),
  /** A request body over the API's limit. */
  TOO_LARGE("too-large", 413, false),
  /** Kafka did not acknowledge a write in time: nothing was changed. */
  KAFKA_UNAVAILABLE("kafka-unavailable", 503, false),
  /** The proxy is at one of its limits (e.g. event-stream subscribers); retry after a while. */
  OVERLOADED("overloaded", 503, false),
  /** Single sign-on cannot start: the OpenID Connect provider was not discovered (yet). */
  SSO_UNAVAILABLE("sso-unavailable", 503, false),
  /** The request has already passed through this proxy: its {@code Via} names it. */
  LOOP_DETECTED("loop-detected", 508, false),
  /** An agent has no tunnel to this proxy: ask one it is connected to (e.g. to drain it). */
  AGENT_ELSEWHERE("agent-elsewhere", 409, false),
  /** An agent asked to drain did not say it is draining in time. */
  DRAIN_UNCONFIRMED("drain-unconfirmed", 504, false),
  /**
   * A tunnel lane landed on a proxy event loop that has a tunnel of the agent already, or came
   * without a main tunnel: dial again (the next connection lands on another loop).
   */
  LANE_REFUSED("lane-refused", 409, false),
  /** Anything unexpected. */
  /**
   * A join was refused: the token is unknown, expired, used up or for other kinds, or the id is
   * taken.
   */
  JOIN_REFUSED("join-refused", 403, false),
  /** No credential, or one that is expired, forged or of a user who no longer exists. */
  UNAUTHENTICATED("unauthenticated", 401, false),
  /** The user is known but no role allows this, a role denies it, or the user is locked. */
  ACCESS_DENIED("access-denied", 403, false),
  /** Too many failed logins for this user or from this address: wait and try again. */
  RATE_LIMITED("rate-limited", 429, false),
  /** A write whose body is neither JSON nor YAML (what an HTML form cannot send). */
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, false),
  /** A replacement whose {@code If-Match} is missing or names another revision. */
  VERSION_MISMATCH("version-mismatch", 412, false),
  /** A create of something that exists already: replacing it needs its revision. */
  EXISTS("exists", 409, false),
  /** The request's Host is neither the proxy's own name nor an app's (DNS rebinding). */
  MISDIRECTED("misdirected", 421, false),
  INTERNAL("internal", 500, false);

  private static final Map<String, ErrorCode> BY_CODE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(e -> e.code, Function.identity()));

  private final String code;
  private final int status;
  private final boolean retryable;

  ErrorCode(String code, int status, boolean retryable) {
    this.code = code;
    this.status = status;
    this.retryable = retryable;
  }

  /** The {@code Gatehouse-Error} header value. */
  public String code() {
    return code;
  }

  /** The HTTP status that goes with the code. */
  public int status() {
    return status;
  }

  /**
   * Whether a proxy may send the session to another agent after an agent answered with this code:
   * nothing was relayed and the failure belongs to that agent, not to the resource.
   */
  public boolean retryable() {
    return retryable;
  }

  /** The code a {@code Gatehouse-Error} header names; empty for null or a code not listed here. */
  public static Optional<ErrorCode> parse(String code) {
    return code == null ? Optional.empty() : Optional.ofNullable(BY_CODE.get(code));
  }
}
