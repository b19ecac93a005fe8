package io.gatehouse.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.ResourceSpec;
import io.gatehouse.events.TargetHealth;
import io.gatehouse.events.codec.EventCodec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatFieldsTest {
  @Test
  void readsTimeTtlAndZoneAsAFullDecodeWould() {
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
            .setTargetHealth(
                TargetHealth.newBuilder()
                    .setState("healthy")
                    .setReason("connected")
                    .setSince(Instant.EPOCH)
                    .build())
            .setZone("eu-west-1a")
            .build();
    assertThat(HeartbeatFields.read(EventCodec.RESOURCE_HEARTBEAT.encode(hb)))
        .isEqualTo(new ServingIndex.Serving(hb.getTime().toEpochMilli(), 9_000L, "eu-west-1a"));
    hb.setZone(null);
    assertThat(HeartbeatFields.read(EventCodec.RESOURCE_HEARTBEAT.encode(hb)))
        .as("no zone named")
        .isEqualTo(new ServingIndex.Serving(hb.getTime().toEpochMilli(), 9_000L, ""));
  }

  @Test
  void readsTheLabelsAloneAsAFullDecodeWould() {
    ResourceHeartbeat hb =
        ResourceHeartbeat.newBuilder()
            .setKind("app")
            .setName("shop")
            .setLabels(Map.of("env", "prod", "team", "web", "empty", ""))
            .setSpec(ResourceSpec.newBuilder().setUri("http://shop").build())
            .setAgentId("agent-a")
            .setAgentAddress("10.0.0.1:3024")
            .setOrigin("static")
            .setSequence(1)
            .setTime(Instant.EPOCH)
            .build();
    byte[] payload = EventCodec.RESOURCE_HEARTBEAT.encode(hb);
    assertThat(HeartbeatFields.labels(payload))
        .isEqualTo(EventCodec.RESOURCE_HEARTBEAT.decode(payload).getLabels())
        .containsOnlyKeys("env", "team", "empty");
    hb.setLabels(Map.of());
    assertThat(HeartbeatFields.labels(EventCodec.RESOURCE_HEARTBEAT.encode(hb))).isEmpty();
    assertThat(HeartbeatFields.labels("not avro".getBytes())).isNull();
    assertThat(HeartbeatFields.labels(java.util.Arrays.copyOf(payload, 12))).isNull();
  }

  @Test
  void anythingElseIsLeftToAFullDecode() {
    assertThat(HeartbeatFields.read("not avro".getBytes())).isNull();
    assertThat(HeartbeatFields.read(new byte[0])).isNull();
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
    assertThat(HeartbeatFields.read(java.util.Arrays.copyOf(truncated, 20))).isNull();
  }
}
