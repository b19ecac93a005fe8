package io.gatehouse.agent.internal.health;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * What the agent's checks say of one upstream, as the heartbeat carries it: {@code
 * {"state":"healthy"|"unhealthy"|"unknown","reason":…,"since":<epoch ms>}}.
 *
 * @param state the verdict
 * @param reason what the latest check that decided it saw
 * @param since when the upstream entered {@code state}
 */
public record TargetHealth(State state, String reason, Instant since) {
  public TargetHealth {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(since, "since");
  }

  /** The verdict on an upstream; the word is what heartbeats carry. */
  public enum State {
    /** Not enough checks yet, or checks disabled. */
    UNKNOWN("unknown"),
    /** The last {@code healthy_threshold} checks succeeded. */
    HEALTHY("healthy"),
    /** The last {@code unhealthy_threshold} checks failed. */
    UNHEALTHY("unhealthy");

    private final String word;

    State(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** The {@code health} object of a serve line. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("state", state.word())
        .put("reason", reason)
        .put("since", since.toEpochMilli());
  }
}
