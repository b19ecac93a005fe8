package io.gatehouse.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.cli.CliException;
import io.gatehouse.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse create -f FILE}: sends every YAML document of the file to the proxy. The file is
 * parsed whole first, so a syntax error anywhere writes nothing; the proxy validates each document
 * and writes nothing for one it rejects.
 */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description =
        "Create or update dynamic resources from a YAML file (several documents allowed).")
public final class CreateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ProxyOptions proxy;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML file with one or more resource documents.")
  Path file;

  @Option(
      names = "--replace",
      description =
          "Replace documents that exist (sends If-Match with the revision read just before).")
  boolean replace;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    List<Map<String, Object>> documents = read(file);
    PrintWriter out = spec.commandLine().getOut();
    int n = 0;
    for (Map<String, Object> doc : documents) {
      n++;
      String body;
      try {
        body = JSON.writeValueAsString(doc);
      } catch (IOException e) {
        throw CliException.user(file + ": document " + n + " cannot be sent: " + e.getMessage());
      }
      Object meta = doc.get("metadata");
      Object name = meta instanceof Map<?, ?> m ? m.get("name") : null;
      // Roles have their own collection; everything else is a resource.
      boolean role = "role".equals(doc.get("kind"));
      String collection = role ? "/v1/roles" : "/v1/resources";
      String item = role ? "/v1/roles/" + name : "/v1/resources/" + doc.get("kind") + "/" + name;
      JsonNode created;
      try {
        Map<String, String> headers = new java.util.HashMap<>();
        if (replace) {
          revision(item).ifPresent(r -> headers.put("If-Match", "\"" + r + "\""));
        }
        created = proxy.client().post(collection, "application/json", body, headers);
      } catch (CliException e) {
        throw new CliException(e.exitCode(), file + ": document " + n + ": " + e.getMessage(), e);
      }
      String kind =
          created != null && created.hasNonNull("kind")
              ? created.get("kind").asText()
              : String.valueOf(doc.get("kind"));
      out.println(
          kind
              + "/"
              + (created != null && created.hasNonNull("name")
                  ? created.get("name").asText()
                  : name)
              + (created != null && created.path("revision").asLong(1) > 1
                  ? " replaced"
                  : " created"));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The revision of {@code item} now, or empty when it does not exist. */
  private java.util.Optional<Long> revision(String item) {
    try {
      JsonNode current = proxy.client().get(item);
      JsonNode revision = current.path("revision");
      return revision.isNumber()
          ? java.util.Optional.of(revision.asLong())
          : java.util.Optional.empty();
    } catch (CliException e) {
      // Not there (404): a plain create.
      return java.util.Optional.empty();
    }
  }

  static List<Map<String, Object>> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw CliException.user(file + ": no such file");
    } catch (IOException e) {
      throw CliException.user(file + ": cannot read: " + e.getMessage());
    }
    List<Map<String, Object>> documents = new ArrayList<>();
    try {
      int n = 0;
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
        n++;
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> map)) {
          throw CliException.user(
              file
                  + ": document "
                  + n
                  + " is not a mapping (expected kind, version, metadata, spec)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        documents.add(typed);
      }
    } catch (YAMLException e) {
      throw CliException.user(file + ": invalid YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (documents.isEmpty()) {
      throw CliException.user(file + ": no documents");
    }
    return documents;
  }
}
