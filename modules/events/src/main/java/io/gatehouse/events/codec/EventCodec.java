package io.gatehouse.events.codec;

import io.gatehouse.events.AgentBeat;
import io.gatehouse.events.AuditEvent;
import io.gatehouse.events.Lock;
import io.gatehouse.events.ProxyAnnouncement;
import io.gatehouse.events.ResourceDefinition;
import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.RoleDefinition;
import io.gatehouse.events.SessionPin;
import io.gatehouse.events.TokenEvent;
import io.gatehouse.events.TunnelPresence;
import io.gatehouse.events.User;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Encodes and decodes one event type with Avro single-object encoding. Decoding accepts any version
 * of the schema this build knows (current or released) and resolves it to the current one; anything
 * else fails with {@link EventDecodeException}. Instances are thread-safe.
 *
 * @param <T> the generated record class
 */
public final class EventCodec<T extends SpecificRecord> {
  static {
    // Avro 1.12.2 only instantiates classes from trusted packages; ours is trusted here, in
    // code, so no process has to remember a system property.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            type -> type.getName().startsWith("io.gatehouse.events.")));
  }

  public static final EventCodec<ResourceDefinition> RESOURCE_DEFINITION =
      new EventCodec<>(ResourceDefinition.class, ResourceDefinition.getClassSchema());
  public static final EventCodec<ResourceHeartbeat> RESOURCE_HEARTBEAT =
      new EventCodec<>(ResourceHeartbeat.class, ResourceHeartbeat.getClassSchema());
  public static final EventCodec<AgentBeat> AGENT_BEAT =
      new EventCodec<>(AgentBeat.class, AgentBeat.getClassSchema());
  public static final EventCodec<SessionPin> SESSION_PIN =
      new EventCodec<>(SessionPin.class, SessionPin.getClassSchema());
  public static final EventCodec<AuditEvent> AUDIT_EVENT =
      new EventCodec<>(AuditEvent.class, AuditEvent.getClassSchema());
  public static final EventCodec<TokenEvent> TOKEN_EVENT =
      new EventCodec<>(TokenEvent.class, TokenEvent.getClassSchema());
  public static final EventCodec<Lock> LOCK = new EventCodec<>(Lock.class, Lock.getClassSchema());
  public static final EventCodec<ProxyAnnouncement> PROXY_ANNOUNCEMENT =
      new EventCodec<>(ProxyAnnouncement.class, ProxyAnnouncement.getClassSchema());
  public static final EventCodec<TunnelPresence> TUNNEL_PRESENCE =
      new EventCodec<>(TunnelPresence.class, TunnelPresence.getClassSchema());
  public static final EventCodec<User> USER = new EventCodec<>(User.class, User.getClassSchema());
  public static final EventCodec<RoleDefinition> ROLE_DEFINITION =
      new EventCodec<>(RoleDefinition.class, RoleDefinition.getClassSchema());

  private final Class<T> type;
  private final Schema schema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final Map<Long, Schema> writers = new HashMap<>();

  private EventCodec(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
    SpecificData model = SpecificData.getForClass(type);
    SchemaStore.Cache known = new SchemaStore.Cache();
    for (Schema version : SchemaCatalog.get().versions(schema.getFullName())) {
      known.addSchema(version);
      writers.put(SchemaCatalog.fingerprint(version), version);
    }
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, known);
  }

  public Class<T> type() {
    return type;
  }

  /** The schema this build writes. */
  public Schema schema() {
    return schema;
  }

  public byte[] encode(T event) {
    try {
      ByteBuffer buffer = encoder.encode(event);
      byte[] out = new byte[buffer.remaining()];
      buffer.get(out);
      return out;
    } catch (IOException | RuntimeException e) {
      throw new io.gatehouse.events.EventException(
          "cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** The writer's fingerprint from the single-object header; fails for a payload without one. */
  private long fingerprint(byte[] payload) {
    if (payload == null) {
      throw new EventDecodeException("null payload is not a " + type.getSimpleName());
    }
    return SchemaCatalog.fingerprintOf(payload)
        .orElseThrow(
            () ->
                new EventDecodeException(
                    "payload of " + payload.length + " bytes has no Avro single-object header"));
  }

  /**
   * Checks that a payload would decode, without building the event: the header names a known
   * version of this event's schema and the body walks that schema to its last byte. About five
   * times cheaper than {@link #decode}; the materializer uses it on every record.
   *
   * @throws EventDecodeException for exactly the payloads {@link #decode} rejects
   */
  public void validate(byte[] payload) {
    long fingerprint = fingerprint(payload);
    Schema writer = writers.get(fingerprint);
    if (writer == null) {
      throw new EventDecodeException(
          String.format(
              "payload was written by schema fingerprint %016x, which is no known version of %s",
              fingerprint, type.getSimpleName()));
    }
    BinaryDecoder body =
        DecoderFactory.get()
            .binaryDecoder(
                payload,
                SchemaCatalog.HEADER_LENGTH,
                payload.length - SchemaCatalog.HEADER_LENGTH,
                null);
    try {
      GenericDatumReader.skip(writer, body);
      if (body.isEnd()) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      throw new EventDecodeException(
          "cannot decode " + type.getSimpleName() + " (" + payload.length + " bytes): " + e, e);
    }
    throw new EventDecodeException(
        "cannot decode "
            + type.getSimpleName()
            + " ("
            + payload.length
            + " bytes): trailing bytes after the record");
  }

  /**
   * Decodes a payload written by any known version of this event's schema.
   *
   * @throws EventDecodeException when the payload is not single-object encoded, was written by an
   *     unknown schema, or is truncated or corrupt
   */
  public T decode(byte[] payload) {
    fingerprint(payload);
    try {
      return decoder.decode(payload);
    } catch (IOException | RuntimeException e) {
      throw new EventDecodeException(
          "cannot decode " + type.getSimpleName() + " (" + payload.length + " bytes): " + e, e);
    }
  }
}
