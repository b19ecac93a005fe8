package io.gatehouse.events.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The evolution rule of the event contract: every current schema must be both backward compatible
 * (new readers read old data) and forward compatible (old readers read new data) with the version
 * it replaces, and no released record may disappear.
 */
public final class SchemaCompatibility {
  private SchemaCompatibility() {}

  /**
   * Compares two sets of schemas by full name.
   *
   * @return one line per problem, empty when the change is allowed
   */
  public static List<String> problems(Map<String, Schema> released, Map<String, Schema> current) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Schema> entry : released.entrySet()) {
      Schema previous = entry.getValue();
      Schema next = current.get(entry.getKey());
      if (next == null) {
        problems.add(entry.getKey() + ": removed, but released schemas may not disappear");
        continue;
      }
      check(problems, entry.getKey(), "backward (new reader, old data)", next, previous);
      check(problems, entry.getKey(), "forward (old reader, new data)", previous, next);
    }
    return problems;
  }

  /** Turns Avro's JSON-pointer location ({@code /fields/3/type}) into field names. */
  static String fieldPath(Schema schema, String location) {
    StringBuilder path = new StringBuilder();
    Schema at = schema;
    String[] parts = location.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      if (!parts[i].equals("fields") || at.getType() != Schema.Type.RECORD) {
        continue;
      }
      int index;
      try {
        index = Integer.parseInt(parts[i + 1]);
      } catch (NumberFormatException e) {
        break;
      }
      if (index >= at.getFields().size()) {
        break;
      }
      Schema.Field field = at.getFields().get(index);
      path.append(path.length() == 0 ? "" : ".").append(field.name());
      at = field.schema();
    }
    return path.length() == 0 ? location : "field '" + path + "' (" + location + ")";
  }

  private static void check(
      List<String> problems, String name, String direction, Schema reader, Schema writer) {
    SchemaPairCompatibility result =
        org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      result
          .getResult()
          .getIncompatibilities()
          .forEach(
              i ->
                  problems.add(
                      name
                          + ": not "
                          + direction
                          + " compatible at "
                          + fieldPath(reader, i.getLocation())
                          + ": "
                          + i.getType()
                          + " "
                          + i.getMessage()));
    }
  }
}
