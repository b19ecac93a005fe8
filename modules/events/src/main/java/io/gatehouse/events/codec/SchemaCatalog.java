package io.gatehouse.events.codec;

import io.gatehouse.events.EventException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every schema this build knows: the current {@code schemas/*.avsc} and the last released ones
 * ({@code schemas/released/*.avsc}), both shipped in the jar. Resolves a single-object-encoded
 * payload to the schema that wrote it.
 */
public final class SchemaCatalog {
  /** Record files in dependency order: {@code ResourceSpec} is referenced by two others. */
  public static final List<String> FILES =
      List.of(
          "ResourceSpec.avsc",
          "ResourceDefinition.avsc",
          "ResourceHeartbeat.avsc",
          "AgentBeat.avsc",
          "SessionPin.avsc",
          "AuditEvent.avsc",
          "TokenEvent.avsc",
          "ProxyAnnouncement.avsc",
          "Lock.avsc",
          "TunnelPresence.avsc",
          "User.avsc",
          "RoleDefinition.avsc");

  static final byte MAGIC_0 = (byte) 0xC3;
  static final byte MAGIC_1 = (byte) 0x01;

  /** Magic bytes (2) and fingerprint (8) before the Avro body of every value. */
  public static final int HEADER_LENGTH = 10;

  private static final String ROOT = "/io/gatehouse/events/schemas/";
  private static final SchemaCatalog INSTANCE = load();

  private final Map<String, Schema> current;
  private final Map<Long, Schema> byFingerprint;

  private SchemaCatalog(Map<String, Schema> current, Map<Long, Schema> byFingerprint) {
    this.current = Map.copyOf(current);
    this.byFingerprint = Map.copyOf(byFingerprint);
  }

  /** The catalogue loaded from the classpath. */
  public static SchemaCatalog get() {
    return INSTANCE;
  }

  /** The current schema of a record, by full name, e.g. {@code io.gatehouse.events.AgentBeat}. */
  public Schema current(String fullName) {
    Schema schema = current.get(fullName);
    if (schema == null) {
      throw new EventException("no schema named " + fullName);
    }
    return schema;
  }

  /** Every schema (current and released) that is a version of {@code fullName}. */
  public List<Schema> versions(String fullName) {
    List<Schema> out = new ArrayList<>();
    for (Schema s : byFingerprint.values()) {
      if (s.getFullName().equals(fullName)) {
        out.add(s);
      }
    }
    return out;
  }

  public Optional<Schema> byFingerprint(long fingerprint) {
    return Optional.ofNullable(byFingerprint.get(fingerprint));
  }

  /** The fingerprint in a single-object-encoded payload's header, if it has one. */
  public static Optional<Long> fingerprintOf(byte[] payload) {
    if (payload == null
        || payload.length < HEADER_LENGTH
        || payload[0] != MAGIC_0
        || payload[1] != MAGIC_1) {
      return Optional.empty();
    }
    return Optional.of(ByteBuffer.wrap(payload, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
  }

  /** The schema that wrote a payload, if this catalogue knows it. */
  public Optional<Schema> writerOf(byte[] payload) {
    return fingerprintOf(payload).flatMap(this::byFingerprint);
  }

  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** Parses one set of {@code .avsc} files (in {@link #FILES} order) with a shared parser. */
  public static Map<String, Schema> parse(SchemaSource source) {
    return parse(source, true);
  }

  /**
   * Parses the released set: like {@link #parse}, but a file the source does not have (opens as
   * {@code null}) is a record new since the last release, which has no released version to be
   * compatible with yet.
   */
  public static Map<String, Schema> parseReleased(SchemaSource source) {
    return parse(source, false);
  }

  private static Map<String, Schema> parse(SchemaSource source, boolean requireAll) {
    Schema.Parser parser = new Schema.Parser();
    Map<String, Schema> out = new HashMap<>();
    for (String file : FILES) {
      try (InputStream in = source.open(file)) {
        if (in == null) {
          if (requireAll) {
            throw new IOException("no such schema file");
          }
          continue;
        }
        Schema schema = parser.parse(in);
        out.put(schema.getFullName(), schema);
      } catch (IOException | RuntimeException e) {
        throw new EventException("cannot read schema " + file + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static SchemaCatalog load() {
    Map<String, Schema> current = parse(file -> resource(ROOT + file));
    Map<String, Schema> released =
        parseReleased(file -> SchemaCatalog.class.getResourceAsStream(ROOT + "released/" + file));
    Map<Long, Schema> byFingerprint = new HashMap<>();
    for (Schema s : released.values()) {
      byFingerprint.put(fingerprint(s), s);
    }
    for (Schema s : current.values()) {
      byFingerprint.put(fingerprint(s), s);
    }
    return new SchemaCatalog(current, byFingerprint);
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = SchemaCatalog.class.getResourceAsStream(path);
    if (in == null) {
      throw new IOException("schema resource " + path + " missing from the classpath");
    }
    return in;
  }

  /** Opens a schema file by its file name. */
  @FunctionalInterface
  public interface SchemaSource {
    /** The file's content, or {@code null} when this set has no such file. */
    InputStream open(String file) throws IOException;

    /** The files of a directory; a missing file opens as {@code null}. */
    static SchemaSource directory(java.nio.file.Path dir) {
      return file -> {
        java.nio.file.Path path = dir.resolve(file);
        return java.nio.file.Files.exists(path) ? java.nio.file.Files.newInputStream(path) : null;
      };
    }
  }
}
