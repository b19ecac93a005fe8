package io.gatehouse.access;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigNode;
import io.gatehouse.config.NodeId;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.RoleDefinition;
import io.gatehouse.events.resource.LabelSelector;
import io.gatehouse.events.resource.ResourceRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A role: what its holders may open ({@code allow} label selectors per resource kind) and call
 * ({@code rules}), minus what it forbids ({@code deny}, which wins). Immutable.
 *
 * <p>The document form, YAML or its JSON equivalent:
 *
 * <pre>
 * kind: role
 * version: v1
 * metadata: { name: dev, labels: { team: x } }
 * spec:
 *   allow:
 *     app_labels: { env: dev }                      # one selector ...
 *     db_labels: [ { env: dev }, { env: qa } ]      # ... or a list of them (OR)
 *     rules: [ { resources: [resources], verbs: [list, read] } ]   # "*" for all
 *   deny: { app_labels: { team: secret } }
 * </pre>
 *
 * <p>Label selectors have the semantics of {@link LabelSelector}. The name {@code admin} belongs to
 * the built-in {@link #ADMIN}, which no document can replace.
 *
 * @param name 1 to 128 letters, digits, {@code .}, {@code _} or {@code -}
 * @param labels the role's own labels (for listing; they grant nothing)
 * @param revision incremented on every stored change; what {@code If-Match} compares
 */
public record Role(
    String name, Map<String, String> labels, RoleBlock allow, RoleBlock deny, long revision) {
  public static final String KIND = "role";
  public static final String VERSION = "v1";
  public static final String ADMIN_NAME = "admin";

  /** Bounds on a document, so that a role stays cheap to store, send and compile. */
  public static final int MAX_SELECTORS_PER_KIND = 64;

  public static final int MAX_RULES = 64;
  public static final int MAX_LABELS = 64;
  public static final int MAX_LABEL_LENGTH = 256;

  private static final String WILDCARD = LabelSelector.WILDCARD;
  private static final String RULES = "rules";

  /** The built-in role of dev mode's admin: opens everything, may call everything. */
  public static final Role ADMIN =
      new Role(
          ADMIN_NAME,
          Map.of(),
          new RoleBlock(
              Arrays.stream(ResourceKind.values())
                  .collect(
                      Collectors.toMap(
                          Function.identity(),
                          k -> List.of(LabelSelector.of(Map.of(WILDCARD, WILDCARD))))),
              List.of(RoleRule.EVERYTHING)),
          RoleBlock.EMPTY,
          1);

  public Role {
    Objects.requireNonNull(name, "name");
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    Objects.requireNonNull(allow, "allow");
    Objects.requireNonNull(deny, "deny");
  }

  /** The built-in role called {@code name}: {@link #ADMIN} for {@code admin}, else empty. */
  public static Optional<Role> builtIn(String name) {
    return ADMIN_NAME.equals(name) ? Optional.of(ADMIN) : Optional.empty();
  }

  /** This role at another revision. */
  public Role withRevision(long newRevision) {
    return new Role(name, labels, allow, deny, newRevision);
  }

  /**
   * Parses and validates a role document; the role has revision 1 (the writer sets the stored one
   * with {@link #withRevision}).
   *
   * @param source how to name the document in problems, e.g. {@code request body} or a file name
   * @throws ConfigException listing every problem, each at its key path; unknown keys are problems
   */
  public static Role parse(String text, String source) {
    ConfigDocument doc = ConfigDocument.parse(text, source);
    ConfigNode root = doc.root();
    root.required(
        "kind",
        t -> {
          if (!KIND.equals(t)) {
            throw new IllegalArgumentException("expected " + KIND + ", got '" + t + "'");
          }
          return t;
        });
    root.required(
        "version",
        t -> {
          if (!VERSION.equals(t)) {
            throw new IllegalArgumentException(
                "unsupported version '" + t + "' (expected " + VERSION + ")");
          }
          return t;
        });
    ConfigNode metadata = root.object("metadata");
    if (!metadata.isPresent()) {
      root.problem("metadata", "missing required key");
    }
    Optional<String> name =
        metadata.isPresent() ? metadata.required("name", Role::checkName) : Optional.empty();
    Map<String, String> labels = metadata.stringMap("labels");
    if (checkLabels(metadata, "labels", labels)) {
      for (String key : labels.keySet()) {
        try {
          ResourceRules.checkLabelKey(key);
        } catch (IllegalArgumentException e) {
          metadata.problem("labels", e.getMessage());
        }
      }
    }
    ConfigNode spec = root.object("spec");
    if (!spec.isPresent()) {
      root.problem("spec", "missing required key");
    }
    RoleBlock allow = block(spec.object("allow"));
    RoleBlock deny = block(spec.object("deny"));
    doc.requireValid();
    return new Role(name.orElseThrow(), labels, allow, deny, 1);
  }

  /** The record for {@code gatehouse.roles}. */
  public RoleDefinition toAvro(Instant updatedAt, String updatedBy) {
    return RoleDefinition.newBuilder()
        .setName(name)
        .setLabels(labels)
        .setAllow(toAvro(allow))
        .setDeny(toAvro(deny))
        .setRevision(revision)
        .setUpdatedAt(updatedAt)
        .setUpdatedBy(updatedBy)
        .build();
  }

  /**
   * The role a record on {@code gatehouse.roles} holds.
   *
   * @throws AccessException naming the role when the record holds what no document could (an
   *     invalid selector, an unknown verb or resource): a materializer counts and skips it
   */
  public static Role fromAvro(RoleDefinition record) {
    String name = record.getName();
    try {
      return new Role(
          name,
          record.getLabels(),
          fromAvro(record.getAllow()),
          fromAvro(record.getDeny()),
          record.getRevision());
    } catch (IllegalArgumentException e) {
      throw new AccessException("role '" + name + "' on the roles topic: " + e.getMessage(), e);
    }
  }

  /**
   * The document form ({@code kind}, {@code version}, {@code metadata}, {@code spec} with
   * snake_case keys), as plain maps and lists for JSON or YAML output. {@link #parse} reads it back
   * to an equal role. A rule covering every resource or verb is written {@code *}.
   */
  public Map<String, Object> toDocument() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    metadata.put("labels", new LinkedHashMap<>(labels));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("allow", document(allow));
    spec.put("deny", document(deny));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", KIND);
    out.put("version", VERSION);
    out.put("metadata", metadata);
    out.put("spec", spec);
    return out;
  }

  // ---- parsing ------------------------------------------------------------------------------

  private static String checkName(String name) {
    if (!NodeId.PATTERN.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid role name '"
              + name
              + "': use 1 to "
              + NodeId.MAX_LENGTH
              + " letters, digits, '.', '_' or '-'");
    }
    if (name.equals(ADMIN_NAME)) {
      throw new IllegalArgumentException(
          "'" + ADMIN_NAME + "' is a built-in role and cannot be defined; choose another name");
    }
    return name;
  }

  private static RoleBlock block(ConfigNode node) {
    if (!node.isPresent()) {
      return RoleBlock.EMPTY;
    }
    Map<ResourceKind, List<LabelSelector>> labels = new EnumMap<>(ResourceKind.class);
    for (ResourceKind kind : ResourceKind.values()) {
      List<LabelSelector> selectors = selectors(node, labelsKey(kind));
      if (!selectors.isEmpty()) {
        labels.put(kind, selectors);
      }
    }
    List<RoleRule> rules = new ArrayList<>();
    List<ConfigNode> items = node.objects(RULES);
    if (items.size() > MAX_RULES) {
      node.problem(RULES, "at most " + MAX_RULES + " rules, got " + items.size());
    }
    for (ConfigNode item : items) {
      Set<ApiResource> resources = words(item, "resources", ApiResource.class, ApiResource::parse);
      Set<Verb> verbs = words(item, "verbs", Verb.class, Verb::parse);
      rules.add(new RoleRule(resources, verbs));
    }
    return new RoleBlock(labels, rules);
  }

  private static String labelsKey(ResourceKind kind) {
    return kind.word() + "_labels";
  }

  /** One selector (a map) or a list of them; each problem at its own path. */
  private static List<LabelSelector> selectors(ConfigNode block, String key) {
    if (!block.has(key)) {
      return List.of();
    }
    List<LabelSelector> out = new ArrayList<>();
    if (block.isList(key)) {
      List<ConfigNode> items = block.objects(key);
      if (items.size() > MAX_SELECTORS_PER_KIND) {
        block.problem(key, "at most " + MAX_SELECTORS_PER_KIND + " selectors, got " + items.size());
      }
      if (items.isEmpty()) {
        block.problem(key, "an empty list selects nothing; leave the key out instead");
      }
      for (ConfigNode item : items) {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String k : item.keys()) {
          if (!item.has(k)) {
            expressions.put(k, ""); // null reads as empty, as in a single selector (stringMap)
          } else {
            item.string(k).ifPresent(v -> expressions.put(k, v));
          }
        }
        selector(item, "", expressions).ifPresent(out::add);
      }
    } else {
      Map<String, String> expressions = block.stringMap(key);
      selector(block, key, expressions).ifPresent(out::add);
    }
    return out;
  }

  /** Reports at {@code node.key} (or {@code node} itself for an empty key). */
  private static Optional<LabelSelector> selector(
      ConfigNode node, String key, Map<String, String> expressions) {
    if (expressions.isEmpty()) {
      report(node, key, "an empty selector matches nothing; write \"*\": \"*\" for everything");
      return Optional.empty();
    }
    if (!checkLabels(node, key, expressions)) {
      return Optional.empty();
    }
    try {
      return Optional.of(LabelSelector.of(expressions));
    } catch (IllegalArgumentException e) {
      report(node, key, e.getMessage());
      return Optional.empty();
    }
  }

  /** Size bounds and non-blank keys; true when none was broken. */
  private static boolean checkLabels(ConfigNode node, String key, Map<String, String> labels) {
    boolean ok = true;
    if (labels.size() > MAX_LABELS) {
      report(node, key, "at most " + MAX_LABELS + " labels, got " + labels.size());
      ok = false;
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String at = key.isEmpty() ? e.getKey() : key + "." + e.getKey();
      if (e.getKey().isBlank()) {
        report(node, key, "a label key must not be blank");
        ok = false;
      } else if (e.getKey().length() > MAX_LABEL_LENGTH) {
        report(
            node,
            key,
            "a label key is at most "
                + MAX_LABEL_LENGTH
                + " characters, got "
                + e.getKey().length());
        ok = false;
      } else if (e.getValue().length() > MAX_LABEL_LENGTH) {
        node.problem(
            at,
            "a label value is at most "
                + MAX_LABEL_LENGTH
                + " characters, got "
                + e.getValue().length());
        ok = false;
      }
    }
    return ok;
  }

  private static void report(ConfigNode node, String key, String reason) {
    if (key.isEmpty()) {
      node.problem(reason);
    } else {
      node.problem(key, reason);
    }
  }

  private static <E extends Enum<E>> Set<E> words(
      ConfigNode rule, String key, Class<E> type, Function<String, Optional<E>> parser) {
    EnumSet<E> out = EnumSet.noneOf(type);
    if (!rule.has(key)) {
      rule.problem(key, "missing required key");
      return out;
    }
    List<String> words = rule.strings(key);
    if (words.isEmpty()) {
      rule.problem(key, "name at least one, or *");
    }
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals(WILDCARD)) {
        out.addAll(EnumSet.allOf(type));
        continue;
      }
      Optional<E> value = parser.apply(word);
      if (value.isPresent()) {
        out.add(value.get());
      } else {
        rule.problem(
            key + "[" + i + "]",
            "'"
                + word
                + "' is not one of "
                + Arrays.stream(type.getEnumConstants())
                    .map(Object::toString)
                    .collect(Collectors.joining(", "))
                + " or *");
      }
    }
    return out;
  }

  // ---- Avro and documents -------------------------------------------------------------------

  private static io.gatehouse.events.RoleBlock toAvro(RoleBlock block) {
    return io.gatehouse.events.RoleBlock.newBuilder()
        .setAppLabels(expressions(block.selectors(ResourceKind.APP)))
        .setDbLabels(expressions(block.selectors(ResourceKind.DB)))
        .setDesktopLabels(expressions(block.selectors(ResourceKind.DESKTOP)))
        .setKubeLabels(expressions(block.selectors(ResourceKind.KUBE)))
        .setRules(
            block.rules().stream()
                .map(
                    r ->
                        io.gatehouse.events.RoleRule.newBuilder()
                            .setResources(words(r.resources(), ApiResource.class))
                            .setVerbs(words(r.verbs(), Verb.class))
                            .build())
                .toList())
        .build();
  }

  private static RoleBlock fromAvro(io.gatehouse.events.RoleBlock block) {
    Map<ResourceKind, List<LabelSelector>> labels = new EnumMap<>(ResourceKind.class);
    labels.put(ResourceKind.APP, selectors(block.getAppLabels()));
    labels.put(ResourceKind.DB, selectors(block.getDbLabels()));
    labels.put(ResourceKind.DESKTOP, selectors(block.getDesktopLabels()));
    labels.put(ResourceKind.KUBE, selectors(block.getKubeLabels()));
    List<RoleRule> rules = new ArrayList<>();
    for (io.gatehouse.events.RoleRule r : block.getRules()) {
      rules.add(
          new RoleRule(
              values(r.getResources(), ApiResource.class, ApiResource::parse),
              values(r.getVerbs(), Verb.class, Verb::parse)));
    }
    return new RoleBlock(labels, rules);
  }

  private static List<Map<String, String>> expressions(List<LabelSelector> selectors) {
    return selectors.stream().map(LabelSelector::expressions).toList();
  }

  private static List<LabelSelector> selectors(List<Map<String, String>> expressions) {
    return expressions.stream().map(LabelSelector::of).toList();
  }

  /** The words of {@code values}, or {@code [*]} when they are all there are. */
  private static <E extends Enum<E>> List<String> words(Set<E> values, Class<E> type) {
    if (values.size() == type.getEnumConstants().length) {
      return List.of(WILDCARD);
    }
    return values.stream().map(Object::toString).toList();
  }

  private static <E extends Enum<E>> Set<E> values(
      List<String> words, Class<E> type, Function<String, Optional<E>> parser) {
    EnumSet<E> out = EnumSet.noneOf(type);
    for (String word : words) {
      if (word.equals(WILDCARD)) {
        out.addAll(EnumSet.allOf(type));
      } else {
        out.add(
            parser
                .apply(word)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "unknown " + type.getSimpleName() + " '" + word + "'")));
      }
    }
    return out;
  }

  private static Map<String, Object> document(RoleBlock block) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (ResourceKind kind : ResourceKind.values()) {
      List<LabelSelector> selectors = block.selectors(kind);
      if (selectors.size() == 1) {
        out.put(labelsKey(kind), new LinkedHashMap<>(selectors.get(0).expressions()));
      } else if (!selectors.isEmpty()) {
        out.put(
            labelsKey(kind),
            selectors.stream()
                .map(s -> (Object) new LinkedHashMap<>(s.expressions()))
                .collect(Collectors.toCollection(ArrayList::new)));
      }
    }
    if (!block.rules().isEmpty()) {
      List<Object> rules = new ArrayList<>();
      for (RoleRule r : block.rules()) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("resources", new ArrayList<>(words(r.resources(), ApiResource.class)));
        rule.put("verbs", new ArrayList<>(words(r.verbs(), Verb.class)));
        rules.add(rule);
      }
      out.put(RULES, rules);
    }
    return out;
  }
}
