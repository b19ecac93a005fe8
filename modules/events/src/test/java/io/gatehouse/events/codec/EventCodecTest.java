package io.gatehouse.events.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
  private static final Path SCHEMAS = Path.of("../../schemas");

  static Stream<Arguments> everyEvent() {
    return Stream.of(
        Arguments.of(
            EventCodec.RESOURCE_DEFINITION, Samples.definition(), "ResourceDefinition.avsc"),
        Arguments.of(EventCodec.RESOURCE_HEARTBEAT, Samples.heartbeat(), "ResourceHeartbeat.avsc"),
        Arguments.of(EventCodec.AGENT_BEAT, Samples.agentBeat(), "AgentBeat.avsc"),
        Arguments.of(EventCodec.SESSION_PIN, Samples.sessionPin(), "SessionPin.avsc"),
        Arguments.of(EventCodec.AUDIT_EVENT, Samples.auditEvent(), "AuditEvent.avsc"),
        Arguments.of(EventCodec.TOKEN_EVENT, Samples.tokenEvent(), "TokenEvent.avsc"),
        Arguments.of(
            EventCodec.PROXY_ANNOUNCEMENT, Samples.proxyAnnouncement(), "ProxyAnnouncement.avsc"),
        Arguments.of(EventCodec.LOCK, Samples.lock(), "Lock.avsc"),
        Arguments.of(EventCodec.TUNNEL_PRESENCE, Samples.tunnelPresence(), "TunnelPresence.avsc"));
  }

  @ParameterizedTest
  @MethodSource("everyEvent")
  <T extends SpecificRecord> void roundTripsEveryEvent(EventCodec<T> codec, T event, String file) {
    byte[] bytes = codec.encode(event);

    assertThat(codec.decode(bytes)).isEqualTo(event);
  }

  @ParameterizedTest
  @MethodSource("everyEvent")
  <T extends SpecificRecord> void writesSingleObjectHeaderNamingTheWriterSchema(
      EventCodec<T> codec, T event, String file) {
    byte[] bytes = codec.encode(event);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(SchemaCatalog.fingerprintOf(bytes))
        .contains(SchemaCatalog.fingerprint(codec.schema()));
    assertThat(SchemaCatalog.get().writerOf(bytes))
        .hasValueSatisfying(
            s -> assertThat(s.getFullName()).isEqualTo(codec.schema().getFullName()));
  }

  @ParameterizedTest
  @MethodSource("everyEvent")
  <T extends SpecificRecord> void decodesWithOnlyTheAvscFile(
      EventCodec<T> codec, T event, String file) throws IOException {
    byte[] bytes = codec.encode(event);
    // An outside consumer: no generated classes, just the .avsc files parsed in order.
    Schema.Parser parser = new Schema.Parser();
    parser.parse(SCHEMAS.resolve("ResourceSpec.avsc").toFile());
    Schema schema =
        file.equals("ResourceSpec.avsc")
            ? parser.getTypes().get("io.gatehouse.events.ResourceSpec")
            : parser.parse(SCHEMAS.resolve(file).toFile());
    BinaryMessageDecoder<GenericRecord> decoder =
        new BinaryMessageDecoder<>(GenericData.get(), schema);

    GenericRecord record = decoder.decode(bytes);

    assertThat(record.getSchema().getFullName()).isEqualTo(codec.schema().getFullName());
    for (Schema.Field field : schema.getFields()) {
      Object expected = event.get(field.pos());
      Object actual = record.get(field.name());
      if (expected instanceof java.time.Instant instant) {
        assertThat(actual).as(field.name()).isEqualTo(instant.toEpochMilli());
      } else if (expected instanceof SpecificRecord || expected instanceof java.util.Map) {
        assertThat(String.valueOf(actual)).as(field.name()).isEqualTo(String.valueOf(expected));
      } else {
        assertThat(actual == null ? null : actual.toString())
            .as(field.name())
            .isEqualTo(expected == null ? null : expected.toString());
      }
    }
  }

  @Test
  void schemaFilesOnDiskAreTheOnesInTheJar() throws IOException {
    for (String file : SchemaCatalog.FILES) {
      assertThat(Files.readString(SCHEMAS.resolve(file)))
          .isEqualTo(
              new String(
                  getClass()
                      .getResourceAsStream("/io/gatehouse/events/schemas/" + file)
                      .readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @MethodSource("everyEvent")
  <T extends SpecificRecord> void validatesWhatItWrites(EventCodec<T> codec, T event, String file) {
    codec.validate(codec.encode(event));
  }

  @Test
  void validateRejectsWhatDecodeRejects() {
    byte[] good = EventCodec.AGENT_BEAT.encode(Samples.agentBeat());
    byte[] corruptFingerprint = good.clone();
    corruptFingerprint[5] ^= 0x5A;
    List<byte[]> bad =
        List.of(
            "not avro".getBytes(),
            Arrays.copyOf(good, good.length - 5),
            Arrays.copyOf(good, good.length + 3),
            corruptFingerprint,
            EventCodec.RESOURCE_HEARTBEAT.encode(Samples.heartbeat()));
    for (byte[] payload : bad) {
      assertThatThrownBy(() -> EventCodec.AGENT_BEAT.validate(payload))
          .isInstanceOf(EventDecodeException.class);
    }
  }

  @Test
  void rejectsPayloadWithoutHeader() {
    assertThatThrownBy(() -> EventCodec.AGENT_BEAT.decode("not avro".getBytes()))
        .isInstanceOf(EventDecodeException.class)
        .hasMessageContaining("no Avro single-object header");
  }

  @Test
  void rejectsTruncatedPayload() {
    byte[] bytes = EventCodec.AGENT_BEAT.encode(Samples.agentBeat());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 5);

    assertThatThrownBy(() -> EventCodec.AGENT_BEAT.decode(truncated))
        .isInstanceOf(EventDecodeException.class)
        .hasMessageContaining("AgentBeat");
  }

  @Test
  void rejectsPayloadFromAnUnknownSchema() {
    byte[] bytes = EventCodec.AGENT_BEAT.encode(Samples.agentBeat());
    bytes[5] ^= 0x5A; // corrupt the fingerprint

    assertThatThrownBy(() -> EventCodec.AGENT_BEAT.decode(bytes))
        .isInstanceOf(EventDecodeException.class);
  }

  @Test
  void rejectsAnotherEventsPayload() {
    byte[] heartbeat = EventCodec.RESOURCE_HEARTBEAT.encode(Samples.heartbeat());

    assertThatThrownBy(() -> EventCodec.AGENT_BEAT.decode(heartbeat))
        .isInstanceOf(EventDecodeException.class);
  }

  @Test
  void decodesRecordsWrittenByAnOlderSchemaVersion() {
    // An "old" AgentBeat without the optional fields, as a previous release might have written it.
    Schema old =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"AgentBeat","namespace":"io.gatehouse.events","fields":[
                  {"name":"agentId","type":"string"},{"name":"address","type":"string"},
                  {"name":"version","type":"string"},
                  {"name":"time","type":{"type":"long","logicalType":"timestamp-millis"}}]}
                """);
    GenericRecord record = new GenericData.Record(old);
    record.put("agentId", "agent-old");
    record.put("address", "127.0.0.1:1");
    record.put("version", "0.0.1");
    record.put("time", 1000L);
    byte[] bytes;
    try {
      bytes =
          new org.apache.avro.message.BinaryMessageEncoder<GenericRecord>(GenericData.get(), old)
              .encode(record)
              .array();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    // Not in this build's catalogue: rejected rather than misread.
    assertThatThrownBy(() -> EventCodec.AGENT_BEAT.decode(bytes))
        .isInstanceOf(EventDecodeException.class);
    assertThat(List.of(SchemaCatalog.get().versions(AgentBeat.getClassSchema().getFullName())))
        .isNotEmpty();
  }
}
