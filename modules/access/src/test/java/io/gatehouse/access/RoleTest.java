package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.RoleDefinition;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.resource.LabelSelector;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class RoleTest {
  private static final String DEV =
      """
      kind: role
      version: v1
      metadata: { name: dev, labels: { team: x } }
      spec:
        allow:
          app_labels: { env: dev }
          db_labels: [ { env: dev }, { env: qa } ]
          rules: [ { resources: [resources], verbs: [list, read] } ]
        deny:  { app_labels: { team: secret } }
      """;

  private static List<String> problems(String text) {
    try {
      Role.parse(text, "role.yaml");
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected the document to be refused");
  }

  private static String role(String spec) {
    return "kind: role\nversion: v1\nmetadata: { name: r }\nspec:\n" + spec.indent(2);
  }

  @Test
  void parsesBothLabelFormsAndRules() {
    Role dev = Role.parse(DEV, "role.yaml");
    assertThat(dev.name()).isEqualTo("dev");
    assertThat(dev.labels()).containsExactly(Map.entry("team", "x"));
    assertThat(dev.revision()).isEqualTo(1);
    assertThat(dev.allow().selectors(ResourceKind.APP))
        .containsExactly(LabelSelector.of(Map.of("env", "dev")));
    assertThat(dev.allow().selectors(ResourceKind.DB))
        .containsExactly(
            LabelSelector.of(Map.of("env", "dev")), LabelSelector.of(Map.of("env", "qa")));
    assertThat(dev.allow().selectors(ResourceKind.KUBE)).isEmpty();
    assertThat(dev.allow().rules())
        .containsExactly(
            new RoleRule(EnumSet.of(ApiResource.RESOURCES), EnumSet.of(Verb.LIST, Verb.READ)));
    assertThat(dev.deny().selectors(ResourceKind.APP))
        .containsExactly(LabelSelector.of(Map.of("team", "secret")));
    assertThat(dev.deny().rules()).isEmpty();
  }

  @Test
  void jsonIsReadAsYaml() {
    Role role =
        Role.parse(
            """
            {"kind": "role", "version": "v1", "metadata": {"name": "ops"},
             "spec": {"allow": {"kube_labels": {"*": "*"}}}}
            """,
            "body");
    assertThat(role.allow().selectors(ResourceKind.KUBE).get(0).matchesEverything()).isTrue();
    assertThat(role.deny()).isEqualTo(RoleBlock.EMPTY);
  }

  @Test
  void starExpandsToEveryResourceAndEveryVerb() {
    Role role = Role.parse(role("allow: { rules: [ { resources: ['*'], verbs: ['*'] } ] }"), "x");
    assertThat(role.allow().rules())
        .containsExactly(new RoleRule(EnumSet.allOf(ApiResource.class), EnumSet.allOf(Verb.class)));
    Role some =
        Role.parse(role("deny: { rules: [ { resources: [users, roles], verbs: ['*'] } ] }"), "x");
    assertThat(some.deny().rules().get(0).verbs())
        .containsExactlyElementsOf(EnumSet.allOf(Verb.class));
  }

  @Test
  void bothBlocksAreOptional() {
    Role role = Role.parse(role("{}"), "x");
    assertThat(role.allow()).isEqualTo(RoleBlock.EMPTY);
    assertThat(role.deny()).isEqualTo(RoleBlock.EMPTY);
  }

  @Test
  void everyProblemIsReportedAtItsPath() {
    List<String> problems =
        problems(
            """
            kind: roles
            version: v2
            metadata: { name: "bad name", colour: red }
            spec:
              allow:
                app_lables: { env: dev }
                db_labels: [ { env: "^(dev$" }, {}, "prod" ]
                desktop_labels: { "*": prod }
                rules:
                  - { resources: [resources, widgets], verbs: [lsit] }
                  - { verbs: [read] }
              deny: { kube_labels: [] }
            """);
    assertThat(problems)
        .contains(
            "role.yaml: kind: expected role, got 'roles'",
            "role.yaml: version: unsupported version 'v2' (expected v1)",
            "role.yaml: metadata.name: invalid role name 'bad name': use 1 to 128 letters, digits,"
                + " '.', '_' or '-'",
            "role.yaml: spec.allow.db_labels[0]: label 'env': invalid regular expression"
                + " '^(dev$': Unclosed group",
            "role.yaml: spec.allow.db_labels[1]: an empty selector matches nothing; write \"*\":"
                + " \"*\" for everything",
            "role.yaml: spec.allow.db_labels[2]: expected a map of keys, got 'prod'",
            "role.yaml: spec.allow.rules[0].resources[1]: 'widgets' is not one of resources,"
                + " users, roles, tokens, locks, sessions, audit, agents, metrics or *",
            "role.yaml: spec.allow.rules[0].verbs[0]: 'lsit' is not one of list, read, create,"
                + " update, delete or *",
            "role.yaml: spec.allow.rules[1].resources: missing required key",
            "role.yaml: spec.deny.kube_labels: an empty list selects nothing; leave the key out"
                + " instead");
    assertThat(problems)
        .anyMatch(p -> p.startsWith("role.yaml: spec.allow.desktop_labels: label key '*'"))
        .anyMatch(p -> p.startsWith("role.yaml: metadata.colour: unknown key"))
        .anyMatch(
            p ->
                p.startsWith("role.yaml: spec.allow.app_lables: unknown key")
                    && p.contains("app_labels"));
  }

  @Test
  void missingPartsAreProblems() {
    assertThat(problems("kind: role\n"))
        .containsExactly(
            "role.yaml: version: missing required key",
            "role.yaml: metadata: missing required key",
            "role.yaml: spec: missing required key");
  }

  @Test
  void theNameAdminIsRefusedAsBuiltIn() {
    assertThat(problems("kind: role\nversion: v1\nmetadata: { name: admin }\nspec: {}\n"))
        .containsExactly(
            "role.yaml: metadata.name: 'admin' is a built-in role and cannot be defined; choose"
                + " another name");
  }

  @Test
  void sizesAreBoundedAndTheBoundIsSaid() {
    String selectors =
        IntStream.range(0, 65).mapToObj(i -> "{ n: v" + i + " }").collect(Collectors.joining(", "));
    assertThat(problems(role("allow: { app_labels: [ " + selectors + " ] }")))
        .containsExactly("role.yaml: spec.allow.app_labels: at most 64 selectors, got 65");

    String rules =
        IntStream.range(0, 65)
            .mapToObj(i -> "{ resources: [audit], verbs: [read] }")
            .collect(Collectors.joining(", "));
    assertThat(problems(role("allow: { rules: [ " + rules + " ] }")))
        .containsExactly("role.yaml: spec.allow.rules: at most 64 rules, got 65");

    String longText = "k".repeat(257);
    assertThat(problems(role("allow: { app_labels: { env: " + longText + " } }")))
        .containsExactly(
            "role.yaml: spec.allow.app_labels.env: a label value is at most 256 characters, got"
                + " 257");
    assertThat(problems(role("deny: { db_labels: [ { " + longText + ": x } ] }")))
        .containsExactly(
            "role.yaml: spec.deny.db_labels[0]: a label key is at most 256 characters, got 257");
    String manyKeys =
        IntStream.range(0, 65).mapToObj(i -> "k" + i + ": v").collect(Collectors.joining(", "));
    assertThat(problems(role("allow: { app_labels: { " + manyKeys + " } }")))
        .containsExactly("role.yaml: spec.allow.app_labels: at most 64 labels, got 65");
    // At the bounds is fine.
    String sixtyFour =
        IntStream.range(0, 64).mapToObj(i -> "{ n: v" + i + " }").collect(Collectors.joining(", "));
    assertThat(
            Role.parse(role("allow: { app_labels: [ " + sixtyFour + " ] }"), "x")
                .allow()
                .selectors(ResourceKind.APP))
        .hasSize(64);
  }

  @Test
  void avroRoundTripKeepsTheRole() {
    Role dev = Role.parse(DEV, "role.yaml").withRevision(7);
    Instant at = Instant.parse("2026-12-03T10:00:00Z");
    RoleDefinition record = dev.toAvro(at, "alice");
    RoleDefinition decoded =
        EventCodec.ROLE_DEFINITION.decode(EventCodec.ROLE_DEFINITION.encode(record));
    assertThat(decoded.getUpdatedAt()).isEqualTo(at);
    assertThat(decoded.getUpdatedBy()).isEqualTo("alice");
    assertThat(decoded.getRevision()).isEqualTo(7);
    assertThat(Role.fromAvro(decoded)).isEqualTo(dev);

    RoleDefinition admin = Role.ADMIN.toAvro(at, null);
    assertThat(admin.getAllow().getRules().get(0).getResources()).containsExactly("*");
    assertThat(Role.fromAvro(admin)).isEqualTo(Role.ADMIN);
  }

  @Test
  void aRecordNoDocumentCouldHoldIsRefusedWithTheRoleName() {
    RoleDefinition record = Role.parse(DEV, "x").toAvro(Instant.EPOCH, null);
    record.getAllow().getRules().get(0).setVerbs(List.of("frobnicate"));
    assertThatThrownBy(() -> Role.fromAvro(record))
        .isInstanceOf(AccessException.class)
        .hasMessageContaining("role 'dev'")
        .hasMessageContaining("frobnicate");
  }

  @Test
  void theDocumentFormReadsBackToAnEqualRole() {
    Role dev = Role.parse(DEV, "role.yaml");
    Map<String, Object> document = dev.toDocument();
    assertThat(document).containsEntry("kind", "role").containsEntry("version", "v1");
    assertThat(document.get("spec").toString())
        .contains("app_labels={env=dev}", "db_labels=[{env=dev}, {env=qa}]");
    String yaml = new Yaml().dump(document);
    assertThat(Role.parse(yaml, "dump")).isEqualTo(dev);
    assertThat(Role.parse(new Yaml().dump(Role.ADMIN.toDocument()).replace("admin", "root"), "x"))
        .isEqualTo(
            new Role(
                "root", Map.of(), Role.ADMIN.allow(), Role.ADMIN.deny(), Role.ADMIN.revision()));
  }

  @Test
  void adminIsBuiltInWithEverythingAndNoDeny() {
    assertThat(Role.builtIn("admin")).contains(Role.ADMIN);
    assertThat(Role.builtIn("dev")).isEmpty();
    for (ResourceKind kind : ResourceKind.values()) {
      assertThat(Role.ADMIN.allow().selectors(kind))
          .singleElement()
          .matches(LabelSelector::matchesEverything);
    }
    assertThat(Role.ADMIN.allow().rules()).containsExactly(RoleRule.EVERYTHING);
    assertThat(Role.ADMIN.deny().isEmpty()).isTrue();
  }
}
