package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cli.ExitCodes;
import io.gatehouse.cli.output.Format;
import io.gatehouse.cli.output.Table;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/** Lists an API collection whose text columns are its objects' scalar fields, in order. */
abstract class GenericListCommand extends ReadCommand {
  abstract String path();

  /** Preferred leading columns; other scalar fields follow. */
  abstract List<String> columns();

  @Override
  public Integer call() {
    JsonNode list = proxy.client().get(path());
    if (format == Format.json) {
      printJson(list);
      return ExitCodes.OK;
    }
    Set<String> fields = new LinkedHashSet<>(columns());
    for (JsonNode item : list) {
      Iterator<String> names = item.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (item.get(name).isValueNode()) {
          fields.add(name);
        }
      }
    }
    List<String> header = new ArrayList<>(fields);
    Table table =
        new Table(
            header.stream()
                .map(h -> h.replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase())
                .toArray(String[]::new));
    for (JsonNode item : list) {
      Object[] row = new Object[header.size()];
      for (int i = 0; i < row.length; i++) {
        JsonNode v = item.get(header.get(i));
        row[i] = cell(v);
      }
      table.row(row);
    }
    table.print(out());
    return ExitCodes.OK;
  }

  /** A missing field is "-", a list of words is joined by commas, any other container its size. */
  private static Object cell(JsonNode v) {
    if (v == null) {
      return "-";
    }
    if (v.isArray()) {
      List<JsonNode> items = StreamSupport.stream(v.spliterator(), false).toList();
      if (items.isEmpty()) {
        return "-";
      }
      if (items.stream().allMatch(JsonNode::isTextual)) {
        return String.join(",", items.stream().map(JsonNode::asText).toList());
      }
    }
    return v.isContainerNode() ? v.size() : v.asText();
  }
}
