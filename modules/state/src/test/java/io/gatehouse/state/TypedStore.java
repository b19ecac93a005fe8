package io.gatehouse.state;

import io.gatehouse.events.Keys;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.codec.EventDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * A table seen as events, for tests and benchmarks that read a store back: string keys, values
 * decoded with the topic's codec (production reads tables through {@link TableView} projections).
 * Decorates a {@link KeyValueStore}; thread-safe like it.
 *
 * @param <T> the event type of the table
 */
public final class TypedStore<T extends SpecificRecord> {
  private final KeyValueStore bytes;
  private final EventCodec<T> codec;

  public TypedStore(KeyValueStore bytes, EventCodec<T> codec) {
    this.bytes = bytes;
    this.codec = codec;
  }

  public Optional<T> get(String key) {
    byte[] value = bytes.get(Keys.bytes(key));
    return value == null ? Optional.empty() : Optional.of(decode(key, value));
  }

  /** Every entry whose key starts with {@code prefix}, in key order. */
  public List<Entry<T>> scan(String prefix) {
    List<Entry<T>> out = new ArrayList<>();
    bytes.scan(
        Keys.bytes(prefix),
        (k, v) -> {
          String key = Keys.string(k);
          out.add(new Entry<>(key, decode(key, v)));
          return true;
        });
    return out;
  }

  /** Every entry of the table. */
  public List<Entry<T>> all() {
    return scan("");
  }

  public KeyValueStore bytes() {
    return bytes;
  }

  private T decode(String key, byte[] value) {
    try {
      return codec.decode(value);
    } catch (EventDecodeException e) {
      // The materializer only stores values it decoded; reaching this means the file is damaged.
      throw new StateException(
          "table "
              + bytes.name()
              + " holds an undecodable value at key "
              + key
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** One key and its decoded value. */
  public record Entry<T>(String key, T value) {}
}
