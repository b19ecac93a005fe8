package io.gatehouse.events.topic;

import io.gatehouse.events.codec.EventCodec;
import java.time.Duration;
import java.util.Map;

/** The topics of the event contract, with the cleanup policy and codec each one carries. */
public enum Topic {
  RESOURCES("resources", CleanupPolicy.COMPACT, 3, EventCodec.RESOURCE_DEFINITION),
  HEARTBEATS("heartbeats", CleanupPolicy.COMPACT, 6, EventCodec.RESOURCE_HEARTBEAT),
  AGENTS("agents", CleanupPolicy.COMPACT, 3, EventCodec.AGENT_BEAT),
  SESSIONS("sessions", CleanupPolicy.COMPACT, 6, EventCodec.SESSION_PIN),
  AUDIT("audit", CleanupPolicy.DELETE, 6, EventCodec.AUDIT_EVENT),
  /** Join tokens (stored as keyed hashes, never the token) and the uses agents claimed. */
  TOKENS("tokens", CleanupPolicy.COMPACT, 3, EventCodec.TOKEN_EVENT),
  /** Where each proxy is reached; what an agent is told so it can keep a tunnel to every one. */
  PROXIES("proxies", CleanupPolicy.COMPACT, 1, EventCodec.PROXY_ANNOUNCEMENT),
  /** Locked agents and users: every proxy refuses them while the lock stands. */
  LOCKS("locks", CleanupPolicy.COMPACT, 1, EventCodec.LOCK),
  /** Which agent is connected to which proxy, since when: the mesh every proxy and the API show. */
  TUNNELS("tunnels", CleanupPolicy.COMPACT, 3, EventCodec.TUNNEL_PRESENCE),
  /** Users who may log in, with their roles (and, for local users, a peppered password hash). */
  USERS("users", CleanupPolicy.COMPACT, 1, EventCodec.USER),
  /** Roles: what users may list, open and change. */
  ROLES("roles", CleanupPolicy.COMPACT, 1, EventCodec.ROLE_DEFINITION),
  /** Records no materializer could decode, copied here with their coordinates in headers. */
  DEAD_LETTER("deadletter", CleanupPolicy.DELETE, 1, null);

  /** The topics every proxy materializes. */
  public static final java.util.List<Topic> MATERIALIZED =
      java.util.List.of(
          RESOURCES,
          HEARTBEATS,
          AGENTS,
          SESSIONS,
          AUDIT,
          TOKENS,
          PROXIES,
          LOCKS,
          TUNNELS,
          USERS,
          ROLES);

  private final String suffix;
  private final CleanupPolicy cleanupPolicy;
  private final int partitions;
  private final EventCodec<?> codec;

  Topic(String suffix, CleanupPolicy cleanupPolicy, int partitions, EventCodec<?> codec) {
    this.suffix = suffix;
    this.cleanupPolicy = cleanupPolicy;
    this.partitions = partitions;
    this.codec = codec;
  }

  /** The name after the prefix, e.g. {@code heartbeats}; also the column family's name. */
  public String suffix() {
    return suffix;
  }

  public CleanupPolicy cleanupPolicy() {
    return cleanupPolicy;
  }

  /** Partitions a topic is created with; readers never depend on the count. */
  public int partitions() {
    return partitions;
  }

  /** The codec of this topic's values; {@code null} for the dead-letter topic (raw bytes). */
  public EventCodec<?> codec() {
    return codec;
  }

  /** Topic configs set at creation (by the kafka module's topic bootstrap). */
  public Map<String, String> configs() {
    if (cleanupPolicy == CleanupPolicy.COMPACT) {
      // Roll segments hourly so the cleaner can compact; keep tombstones a day so a proxy
      // that was down for hours still sees deletes.
      return Map.of(
          "cleanup.policy",
          "compact",
          "segment.ms",
          String.valueOf(Duration.ofHours(1).toMillis()),
          "delete.retention.ms",
          String.valueOf(Duration.ofDays(1).toMillis()),
          "min.cleanable.dirty.ratio",
          "0.5");
    }
    long retention =
        this == AUDIT ? Duration.ofDays(365).toMillis() : Duration.ofDays(30).toMillis();
    return Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(retention));
  }

  /** Kafka's {@code cleanup.policy} values used by the contract. */
  public enum CleanupPolicy {
    COMPACT("compact"),
    DELETE("delete");

    private final String value;

    CleanupPolicy(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }
}
