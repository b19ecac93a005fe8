package io.gatehouse.proxy.routing;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What an agent's own checks say of the upstream behind one resource, as its control stream and its
 * heartbeat carry it. Selection prefers {@link State#HEALTHY} agents, then {@link State#UNKNOWN},
 * and sends a session to an {@link State#UNHEALTHY} one only when no other is left.
 *
 * @param state the verdict
 * @param reason what the check that decided it saw (a few words from the agent)
 * @param since when the upstream entered {@code state}, by the agent's clock; {@link Instant#EPOCH}
 *     when nothing was reported
 */
public record TargetHealth(State state, String reason, Instant since) {
  /** What an agent that reported nothing (an older agent, checks disabled) is taken to say. */
  public static final TargetHealth UNREPORTED =
      new TargetHealth(State.UNKNOWN, "not reported", Instant.EPOCH);

  /** Longer reasons are cut: a reason is shown, not parsed. */
  static final int MAX_REASON = 256;

  public TargetHealth {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(since, "since");
    reason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
  }

  /** The verdicts in the order selection prefers them. */
  public enum State {
    HEALTHY("healthy"),
    UNKNOWN("unknown"),
    UNHEALTHY("unhealthy");

    private final String word;

    State(String word) {
      this.word = word;
    }

    /** How topics, control streams and the API write it. */
    public String word() {
      return word;
    }

    /** The state a word names; any word not known here (a newer agent's) is unknown. */
    public static State parse(String word) {
      if (word != null) {
        for (State s : values()) {
          if (s.word.equals(word.toLowerCase(Locale.ROOT))) {
            return s;
          }
        }
      }
      return UNKNOWN;
    }
  }

  /** The verdict a heartbeat record carries; {@link #UNREPORTED} for none. */
  public static TargetHealth of(io.gatehouse.events.TargetHealth record) {
    if (record == null) {
      return UNREPORTED;
    }
    return new TargetHealth(
        State.parse(record.getState()),
        record.getReason() == null ? "" : record.getReason(),
        record.getSince());
  }

  /** As a heartbeat record carries it. */
  public io.gatehouse.events.TargetHealth toRecord() {
    return io.gatehouse.events.TargetHealth.newBuilder()
        .setState(state.word())
        .setReason(reason)
        .setSince(since)
        .build();
  }

  /** {@code {"state":…,"reason":…,"since":"<ISO-8601>"}}, as the API shows it. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("state", state.word()).put("reason", reason);
    if (!since.equals(Instant.EPOCH)) {
      json.put("since", since.toString());
    }
    return json;
  }
}
