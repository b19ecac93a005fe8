package io.gatehouse.events;

import java.time.Instant;
import java.util.Map;

/** One valid instance of every event, with every optional field set. */
public final class Samples {
  public static final Instant T = Instant.parse("2026-11-23T21:00:00Z");

  private Samples() {}

  public static ResourceSpec spec() {
    return ResourceSpec.newBuilder().setUri("tcp://127.0.0.1:5432").setProtocol("postgres").build();
  }

  public static ResourceDefinition definition() {
    return ResourceDefinition.newBuilder()
        .setKind("db")
        .setName("pg")
        .setLabels(Map.of("env", "prod"))
        .setSpec(spec())
        .setUpdatedAt(T)
        .setUpdatedBy("alice")
        .build();
  }

  public static ResourceHeartbeat heartbeat() {
    return ResourceHeartbeat.newBuilder()
        .setKind("db")
        .setName("pg")
        .setLabels(Map.of("env", "prod"))
        .setSpec(spec())
        .setAgentId("agent-a")
        .setAgentAddress("127.0.0.1:3024")
        .setOrigin("static")
        .setSequence(42)
        .setTime(T)
        .build();
  }

  public static AgentBeat agentBeat() {
    return AgentBeat.newBuilder()
        .setAgentId("agent-a")
        .setAddress("127.0.0.1:3024")
        .setVersion("0.1.0")
        .setTime(T)
        .setStartedAt(T.minusSeconds(60))
        .build();
  }

  public static SessionPin sessionPin() {
    return SessionPin.newBuilder()
        .setSessionId("0123456789abcdef0123456789abcdef")
        .setKind("app")
        .setName("demo")
        .setAgentId("agent-a")
        .setAgentAddress("127.0.0.1:3024")
        .setProxyId("proxy-1")
        .setUser("alice")
        .setStartedAt(T)
        .setLastActiveAt(T.plusSeconds(5))
        .build();
  }

  public static AuditEvent auditEvent() {
    return AuditEvent.newBuilder()
        .setId("e-1")
        .setType("session.start")
        .setTime(T)
        .setUser("alice")
        .setKind("app")
        .setName("demo")
        .setSessionId("0123456789abcdef0123456789abcdef")
        .setAgentId("agent-a")
        .setProxyId("proxy-1")
        .setOutcome("ok")
        .setBytesIn(10)
        .setBytesOut(20)
        .setDetails(Map.of("reason", "new session"))
        .build();
  }

  public static Lock lock() {
    return Lock.newBuilder()
        .setTarget("agent/agent-a")
        .setReason("host compromised")
        .setCreatedBy("ops@bastion")
        .setCreatedAt(java.time.Instant.parse("2026-12-01T21:30:00Z"))
        .build();
  }

  public static ProxyAnnouncement proxyAnnouncement() {
    return ProxyAnnouncement.newBuilder()
        .setProxyId("proxy-1")
        .setAddress("gatehouse-1.example.com:3080")
        .setStartedAt(java.time.Instant.parse("2026-12-01T20:00:00Z"))
        .setTime(java.time.Instant.parse("2026-12-01T21:00:00Z"))
        .build();
  }

  public static TunnelPresence tunnelPresence() {
    return TunnelPresence.newBuilder()
        .setAgentId("agent-a")
        .setProxyId("proxy-1")
        .setSince(java.time.Instant.parse("2026-12-01T21:00:00Z"))
        .setRemote("10.0.0.7:51234")
        .setKinds(java.util.List.of("app", "db"))
        .setState("draining")
        .setAgentVersion("2.0.0")
        .build();
  }

  public static TokenEvent tokenEvent() {
    return TokenEvent.newBuilder()
        .setType("token")
        .setTokenId("0123456789ab")
        .setTime(T)
        .setKinds(java.util.List.of("app", "db"))
        .setExpiresAt(T.plusSeconds(1800))
        .setMaxUses(1)
        .setCreatedBy("alice@host")
        .setDescription("rack 4")
        .setAgentId("agent-a")
        .setProxyId("proxy-1")
        .build();
  }
}
