package io.gatehouse.proxy.routing;

import io.gatehouse.events.ResourceHeartbeat;
import io.gatehouse.events.codec.SchemaCatalog;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads the two fields of a heartbeat every selection needs, {@code time} and {@code ttlMillis}, by
 * skipping over the others with the writer's schema instead of decoding the whole record (a third
 * of the cost). Works for every schema version the catalogue knows; anything else is left to a full
 * decode.
 */
final class HeartbeatTimes {
  private static final String NAME = ResourceHeartbeat.getClassSchema().getFullName();
  private static final long DEFAULT_TTL =
      ResourceHeartbeat.getClassSchema().getField("ttlMillis").defaultVal() instanceof Number n
          ? n.longValue()
          : 180_000L;
  private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

  private HeartbeatTimes() {}

  /**
   * Fills {@code out[0]} with the heartbeat's time and {@code out[1]} with its TTL, in epoch
   * milliseconds and milliseconds.
   *
   * @return false when the payload is not a heartbeat of a known schema version
   */
  static boolean read(byte[] payload, long[] out) {
    Schema writer = SchemaCatalog.get().writerOf(payload).orElse(null);
    if (writer == null || !writer.getFullName().equals(NAME)) {
      return false;
    }
    Schema.Field time = writer.getField("time");
    Schema.Field ttl = writer.getField("ttlMillis");
    if (time == null) {
      return false;
    }
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                payload,
                SchemaCatalog.HEADER_LENGTH,
                payload.length - SchemaCatalog.HEADER_LENGTH,
                DECODERS.get());
    DECODERS.set(decoder);
    out[1] = DEFAULT_TTL;
    boolean timeSeen = false;
    boolean ttlSeen = ttl == null;
    try {
      for (Schema.Field f : writer.getFields()) {
        if (f == time) {
          out[0] = decoder.readLong();
          timeSeen = true;
        } else if (f == ttl) {
          out[1] = decoder.readLong();
          ttlSeen = true;
        } else {
          GenericDatumReader.skip(f.schema(), decoder);
        }
        if (timeSeen && ttlSeen) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return timeSeen;
  }
}
