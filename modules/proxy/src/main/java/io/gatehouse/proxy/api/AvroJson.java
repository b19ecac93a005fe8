package io.gatehouse.proxy.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Events as JSON for the API: field names as in the schema, timestamps as ISO-8601 text, maps as
 * objects, nested records as objects.
 */
final class AvroJson {
  private AvroJson() {}

  static JsonObject of(SpecificRecord record) {
    JsonObject out = new JsonObject();
    for (Schema.Field field : record.getSchema().getFields()) {
      out.put(field.name(), value(record.get(field.pos())));
    }
    return out;
  }

  private static Object value(Object v) {
    if (v == null || v instanceof Boolean || v instanceof Number) {
      return v;
    }
    if (v instanceof CharSequence || v instanceof Instant) {
      return v.toString();
    }
    if (v instanceof SpecificRecord r) {
      return of(r);
    }
    if (v instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      map.forEach((k, val) -> o.put(String.valueOf(k), value(val)));
      return o;
    }
    if (v instanceof Collection<?> c) {
      JsonArray a = new JsonArray();
      c.forEach(item -> a.add(value(item)));
      return a;
    }
    return v.toString();
  }
}
