package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.codec.EventCodec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatTimesTest {
  @Test
  void readsTimeAndTtlAsAFullDecodeWould() {
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind("db")
            .setName("pg")
            .setLabels(Map.of("env", "prod", "team", "data"))
            .setSpec(
                ResourceSpec.newBuilder().setUri("tcp://pg:5432").setProtocol("postgres").build())
            .setAgentId("agent-a")
            .setAgentAddress("10.0.0.1:3024")
            .setOrigin("dynamic")
            .setSequence(42)
            .setTime(Instant.parse("2026-01-01T00:00:01.234Z"))
            .setTtlMillis(9_000)
            .build();
    long[] out = new long[2];
    assertThat(HeartbeatTimes.read(EventCodec.RESOURCE_HEARTBEAT.encode(hb), out)).isTrue();
    assertThat(out).containsExactly(hb.getTime().toEpochMilli(), 9_000L);
  }

  @Test
  void anythingElseIsLeftToAFullDecode() {
    long[] out = new long[2];
    assertThat(HeartbeatTimes.read("not avro".getBytes(), out)).isFalse();
    assertThat(HeartbeatTimes.read(new byte[0], out)).isFalse();
    byte[] truncated =
        EventCodec.RESOURCE_HEARTBEAT.encode(
            ResourceHeartbeat.newBuilder()
                .setKind("app")
                .setName("a")
                .setSpec(ResourceSpec.newBuilder().setUri("http://a").build())
                .setAgentId("x")
                .setAgentAddress("y:1")
                .setOrigin("static")
                .setSequence(1)
                .setTime(Instant.EPOCH)
                .build());
    assertThat(HeartbeatTimes.read(java.util.Arrays.copyOf(truncated, 20), out)).isFalse();
  }
}
