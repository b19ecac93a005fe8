package io.gatehouse.state;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Keys;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import java.time.Instant;
import java.util.Map;

/** Test events with the fields that matter to a test and plausible values elsewhere. */
final class Events {
  private Events() {}

  static ResourceHeartbeat heartbeat(String kind, String name, String agentId, long sequence) {
    return ResourceHeartbeat.newBuilder()
        .setKind(kind)
        .setName(name)
        .setLabels(Map.of("env", "test"))
        .setSpec(ResourceSpec.newBuilder().setUri("http://127.0.0.1:8080").build())
        .setAgentId(agentId)
        .setAgentAddress("127.0.0.1:3024")
        .setOrigin("static")
        .setSequence(sequence)
        .setTime(Instant.ofEpochMilli(1_700_000_000_000L + sequence))
        .build();
  }

  static byte[] key(ResourceHeartbeat hb) {
    return Keys.bytes(Keys.heartbeat(hb.getKind(), hb.getName(), hb.getAgentId()));
  }

  static byte[] value(ResourceHeartbeat hb) {
    return EventCodec.RESOURCE_HEARTBEAT.encode(hb);
  }

  static AgentBeat beat(String agentId, Instant time) {
    return AgentBeat.newBuilder()
        .setAgentId(agentId)
        .setAddress("127.0.0.1:3024")
        .setVersion("test")
        .setTime(time)
        .setTtlMillis(3000)
        .build();
  }
}
