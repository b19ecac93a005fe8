package io.gatehouse.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * One parsed YAML configuration file and the problems found while reading it.
 *
 * <p>Reading goes through {@link #root()}: every key a reader asks for is remembered, and {@link
 * #requireValid()} reports every key nobody asked for as unknown, so a typo never passes silently.
 * Readers do not stop at the first problem: getters record it at the key's path and return a
 * default, and {@code requireValid()} throws one {@link ConfigException} listing them all.
 *
 * <p>YAML is read with snakeyaml's safe constructor (plain maps, lists and scalars, never arbitrary
 * types), the YAML 1.2 core schema for plain scalars (only {@code true}/{@code false} are
 * booleans), no duplicate keys, and bounded aliases and nesting. Not thread-safe: read it on one
 * thread, then keep the immutable values you built.
 */
public final class ConfigDocument {
  private static final int MAX_ALIASES = 50;
  private static final int MAX_DEPTH = 50;
  private static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

  private final String source;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final Map<String, ConfigNode> nodes = new LinkedHashMap<>();
  private final ConfigNode root;

  private ConfigDocument(String source, Object tree) {
    this.source = source;
    if (tree == null) {
      tree = Map.of();
    }
    if (!(tree instanceof Map)) {
      problems.add(
          new ConfigProblem(
              source, "", "the document must be a map of keys, got " + ConfigNode.describe(tree)));
      tree = Map.of();
    }
    this.root = node("", tree);
  }

  /**
   * Reads and parses a file.
   *
   * @throws ConfigException when the file cannot be read or is not well-formed YAML
   */
  public static ConfigDocument load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          new ConfigProblem(file.toString(), "", "cannot read the file: " + describe(e)), e);
    }
    return parse(text, file.toString());
  }

  /**
   * Parses YAML text.
   *
   * @param source how to name the text in problems, usually its file name
   * @throws ConfigException when the text is not well-formed YAML
   */
  public static ConfigDocument parse(String yaml, String source) {
    return new ConfigDocument(source, tree(yaml, source));
  }

  /** The name problems are reported under. */
  public String source() {
    return source;
  }

  /** The top-level map; an empty document reads as an empty map. */
  public ConfigNode root() {
    return root;
  }

  /** Records a problem at {@code path} (empty for the whole document). */
  public void problem(String path, String reason) {
    problems.add(new ConfigProblem(source, path, reason));
  }

  /** The problems recorded so far, without unknown keys (those are judged by requireValid). */
  public List<ConfigProblem> problems() {
    return List.copyOf(problems);
  }

  /**
   * Reports keys nobody asked for as unknown, then throws if any problem was found.
   *
   * @throws ConfigException listing every problem, one per line
   */
  public void requireValid() {
    List<ConfigProblem> all = new ArrayList<>(problems);
    root.collectUnknownKeys(all);
    if (!all.isEmpty()) {
      throw new ConfigException(all);
    }
  }

  /** The node for {@code path}, created once so that every reader of it shares what it asked. */
  ConfigNode node(String path, Object value) {
    return nodes.computeIfAbsent(path, p -> new ConfigNode(this, p, value));
  }

  java.util.Optional<ConfigNode> existing(String path) {
    return java.util.Optional.ofNullable(nodes.get(path));
  }

  private static Object tree(String yaml, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setAllowRecursiveKeys(false);
    DumperOptions dumper = new DumperOptions();
    Yaml parser =
        new Yaml(
            new SafeConstructor(options),
            new Representer(dumper),
            dumper,
            options,
            new StrictResolver());
    try {
      return parser.load(yaml);
    } catch (MarkedYAMLException e) {
      throw new ConfigException(new ConfigProblem(source, "", describe(e)), e);
    } catch (YAMLException e) {
      throw new ConfigException(
          new ConfigProblem(source, "", "invalid YAML: " + e.getMessage()), e);
    }
  }

  private static String describe(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    StringBuilder out = new StringBuilder("invalid YAML");
    if (mark != null) {
      out.append(" at line ")
          .append(mark.getLine() + 1)
          .append(", column ")
          .append(mark.getColumn() + 1);
    }
    out.append(": ");
    if (e.getContext() != null) {
      out.append(e.getContext()).append(", ");
    }
    out.append(e.getProblem() == null ? "syntax error" : e.getProblem());
    return out.toString().replace('\n', ' ');
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.toString();
  }
}
