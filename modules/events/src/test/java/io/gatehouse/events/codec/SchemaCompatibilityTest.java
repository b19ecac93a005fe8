package io.gatehouse.events.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The build check: {@code schemas/} may only evolve compatibly from {@code schemas/released/}. */
class SchemaCompatibilityTest {
  private static final Path SCHEMAS = Path.of("../../schemas");

  @Test
  void currentSchemasAreBackwardAndForwardCompatibleWithTheReleasedOnes() {
    Map<String, Schema> released =
        SchemaCatalog.parseReleased(
            SchemaCatalog.SchemaSource.directory(SCHEMAS.resolve("released")));
    Map<String, Schema> current =
        SchemaCatalog.parse(f -> Files.newInputStream(SCHEMAS.resolve(f)));

    assertThat(SchemaCompatibility.problems(released, current))
        .as("schemas/ must stay compatible with schemas/released/ (see docs/topic-contract.md)")
        .isEmpty();
  }

  @Test
  void acceptsAnOptionalFieldWithADefault() throws IOException {
    Map<String, Schema> released = released();
    Map<String, Schema> current =
        edited(
            "AgentBeat.avsc",
            "{\"name\": \"agentId\", \"type\": \"string\"},",
            "{\"name\": \"agentId\", \"type\": \"string\"}, {\"name\": \"zone\", \"type\": [\"null\", \"string\"], \"default\": null},");

    assertThat(SchemaCompatibility.problems(released, current)).isEmpty();
  }

  @Test
  void rejectsAFieldAddedWithoutADefault() throws IOException {
    Map<String, Schema> current =
        edited(
            "AgentBeat.avsc",
            "{\"name\": \"agentId\", \"type\": \"string\"},",
            "{\"name\": \"agentId\", \"type\": \"string\"}, {\"name\": \"zone\", \"type\": \"string\"},");

    assertThat(SchemaCompatibility.problems(released(), current))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("io.gatehouse.events.AgentBeat", "backward", "zone");
  }

  @Test
  void rejectsAChangedFieldType() throws IOException {
    Map<String, Schema> current =
        edited(
            "SessionPin.avsc",
            "{\"name\": \"agentId\", \"type\": \"string\"}",
            "{\"name\": \"agentId\", \"type\": \"long\"}");

    assertThat(SchemaCompatibility.problems(released(), current))
        .anySatisfy(p -> assertThat(p).contains("io.gatehouse.events.SessionPin", "agentId"));
  }

  @Test
  void rejectsARequiredFieldRemoved() throws IOException {
    Map<String, Schema> current =
        edited(
            "AuditEvent.avsc",
            "{\"name\": \"outcome\", \"type\": \"string\", \"doc\": \"ok, denied, failed, ...\"},",
            "");

    assertThat(SchemaCompatibility.problems(released(), current))
        .anySatisfy(p -> assertThat(p).contains("AuditEvent", "forward", "outcome"));
  }

  private static Map<String, Schema> released() {
    return SchemaCatalog.parseReleased(
        SchemaCatalog.SchemaSource.directory(SCHEMAS.resolve("released")));
  }

  private static Map<String, Schema> edited(String file, String from, String to)
      throws IOException {
    String original = Files.readString(SCHEMAS.resolve(file));
    assertThat(original).as("test edit must apply to " + file).contains(from);
    String changed = original.replace(from, to);
    Map<String, String> overrides = new HashMap<>();
    overrides.put(file, changed);
    return SchemaCatalog.parse(
        f ->
            overrides.containsKey(f)
                ? new ByteArrayInputStream(overrides.get(f).getBytes(StandardCharsets.UTF_8))
                : Files.newInputStream(SCHEMAS.resolve(f)));
  }
}
