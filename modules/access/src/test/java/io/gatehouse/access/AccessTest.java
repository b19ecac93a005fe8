package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.resource.LabelSelector;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccessTest {
  private static final Role DEV =
      Role.parse(
          """
          kind: role
          version: v1
          metadata: { name: dev }
          spec:
            allow:
              app_labels: { env: dev }
              db_labels: [ { env: dev }, { env: qa } ]
              rules: [ { resources: [resources], verbs: [list, read] } ]
            deny: { app_labels: { team: secret }, rules: [ { resources: [resources], verbs: [delete] } ] }
          """,
          "dev.yaml");

  private static Role role(String name, String spec) {
    return Role.parse(
        "kind: role\nversion: v1\nmetadata: { name: " + name + " }\nspec:\n" + spec.indent(2),
        name + ".yaml");
  }

  @Test
  void allowedLabelsOpenAndOthersDoNot() {
    Access alice = Access.of("alice", List.of(DEV));
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "dev"))).isTrue();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "prod"))).isFalse();
    assertThat(alice.mayOpen(ResourceKind.DB, Map.of("env", "qa", "x", "y"))).isTrue();
    assertThat(alice.mayOpen(ResourceKind.KUBE, Map.of("env", "dev"))).isFalse();
    assertThat(alice.user()).isEqualTo("alice");
    assertThat(alice.roles()).containsExactly("dev");
  }

  @Test
  void denyWinsOverAnyAllow() {
    Role everything = role("all", "allow: { app_labels: { '*': '*' } }");
    Access alice = Access.of("alice", List.of(everything, DEV));
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "dev", "team", "secret"))).isFalse();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("team", "secret"))).isFalse();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("team", "public"))).isTrue();
  }

  @Test
  void nothingIsAllowedByDefault() {
    Access none = Access.none("bob");
    Access empty = Access.of("carol", List.of(role("empty", "{}")));
    for (ResourceKind kind : ResourceKind.values()) {
      assertThat(none.mayOpen(kind, Map.of())).isFalse();
      assertThat(empty.mayOpen(kind, Map.of("env", "dev"))).isFalse();
    }
    for (ApiResource r : ApiResource.values()) {
      for (Verb v : Verb.values()) {
        assertThat(none.may(r, v)).isFalse();
        assertThat(empty.may(r, v)).isFalse();
      }
    }
    assertThat(none.roles()).isEmpty();
  }

  @Test
  void globsAndRegexesSelect() {
    Access alice =
        Access.of(
            "alice",
            List.of(
                role(
                    "globs",
                    "allow: { app_labels: [ { region: 'us-*' }, { env: '^(dev|qa)$', team: web } ] }")));
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("region", "us-east-1"))).isTrue();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("region", "eu-west-1"))).isFalse();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "qa", "team", "web"))).isTrue();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "qa", "team", "db"))).isFalse();
    assertThat(alice.mayOpen(ResourceKind.APP, Map.of("env", "prod", "team", "web"))).isFalse();
  }

  @Test
  void theWildcardPairOpensEveryResourceEvenUnlabelled() {
    Access admin = Access.of("admin", List.of(Role.ADMIN));
    for (ResourceKind kind : ResourceKind.values()) {
      assertThat(admin.mayOpen(kind, Map.of())).isTrue();
      assertThat(admin.mayOpen(kind, Map.of("team", "secret"))).isTrue();
    }
    for (ApiResource r : ApiResource.values()) {
      for (Verb v : Verb.values()) {
        assertThat(admin.may(r, v)).isTrue();
      }
    }
  }

  @Test
  void apiRulesAllowWhatTheyCoverAndDenyRulesWin() {
    Access alice =
        Access.of(
            "alice",
            List.of(
                DEV, role("writer", "allow: { rules: [ { resources: ['*'], verbs: ['*'] } ] }")));
    assertThat(alice.may(ApiResource.RESOURCES, Verb.CREATE)).isTrue();
    assertThat(alice.may(ApiResource.USERS, Verb.DELETE)).isTrue();
    assertThat(alice.may(ApiResource.RESOURCES, Verb.DELETE)).isFalse();
    Access bob = Access.of("bob", List.of(DEV));
    assertThat(bob.may(ApiResource.RESOURCES, Verb.LIST)).isTrue();
    assertThat(bob.may(ApiResource.RESOURCES, Verb.UPDATE)).isFalse();
    assertThat(bob.may(ApiResource.AUDIT, Verb.READ)).isFalse();
  }

  @Test
  void decisionsSayWhichRoleDecidedAndWhy() {
    Access alice = Access.of("alice", List.of(DEV));
    assertThat(alice.decideOpen(ResourceKind.APP, Map.of("env", "dev", "team", "secret")))
        .isEqualTo(new Access.Decision(false, "role dev denies app labels {team: secret}"));
    assertThat(alice.decideOpen(ResourceKind.APP, Map.of("env", "dev")))
        .isEqualTo(new Access.Decision(true, "role dev allows app labels {env: dev}"));
    assertThat(alice.decideOpen(ResourceKind.DB, Map.of("region", "eu", "env", "prod")))
        .isEqualTo(
            new Access.Decision(
                false, "no role of alice allows db with labels {env: prod, region: eu}"));
    assertThat(alice.decide(ApiResource.RESOURCES, Verb.DELETE))
        .isEqualTo(new Access.Decision(false, "role dev denies delete on resources"));
    assertThat(alice.decide(ApiResource.RESOURCES, Verb.READ))
        .isEqualTo(new Access.Decision(true, "role dev allows read on resources"));
    assertThat(alice.decide(ApiResource.USERS, Verb.CREATE))
        .isEqualTo(new Access.Decision(false, "no role of alice allows create on users"));
  }

  @Test
  void theFirstRoleGivenIsTheOneNamed() {
    Role a = role("a", "allow: { app_labels: { env: dev } }");
    Role b = role("b", "allow: { app_labels: [ { team: web }, { env: dev } ] }");
    assertThat(
            Access.of("u", List.of(b, a))
                .decideOpen(ResourceKind.APP, Map.of("env", "dev"))
                .reason())
        .isEqualTo("role b allows app labels {env: dev}");
    assertThat(
            Access.of("u", List.of(a, b))
                .decideOpen(ResourceKind.APP, Map.of("env", "dev", "team", "web"))
                .reason())
        .isEqualTo("role a allows app labels {env: dev}");
  }

  /** The index must answer exactly what matching every selector in turn answers. */
  @Test
  void theIndexAgreesWithANaiveScanOnRandomRoles() {
    Random random = new Random(42);
    for (int round = 0; round < 40; round++) {
      List<Role> roles = new ArrayList<>();
      int count = 1 + random.nextInt(60);
      for (int i = 0; i < count; i++) {
        roles.add(randomRole("r" + i, random));
      }
      Access access = Access.of("u", roles);
      for (int probe = 0; probe < 300; probe++) {
        ResourceKind kind = ResourceKind.values()[random.nextInt(ResourceKind.values().length)];
        Map<String, String> labels = randomLabels(random);
        String expected = naive(roles, kind, labels);
        Access.Decision decision = access.decideOpen(kind, labels);
        assertThat(decision.reason())
            .as("%s %s in round %d", kind, labels, round)
            .isEqualTo(expected);
        assertThat(access.mayOpen(kind, labels)).isEqualTo(decision.allowed());
        assertThat(decision.allowed())
            .isEqualTo(expected.contains(" allows ") && !expected.startsWith("no "));
      }
    }
  }

  private static String naive(List<Role> roles, ResourceKind kind, Map<String, String> labels) {
    for (Role r : roles) {
      for (LabelSelector s : r.deny().selectors(kind)) {
        if (s.matches(labels)) {
          return "role " + r.name() + " denies " + kind + " labels " + text(s.expressions());
        }
      }
    }
    for (Role r : roles) {
      for (LabelSelector s : r.allow().selectors(kind)) {
        if (s.matches(labels)) {
          return "role " + r.name() + " allows " + kind + " labels " + text(s.expressions());
        }
      }
    }
    return "no role of u allows " + kind + " with labels " + text(new java.util.TreeMap<>(labels));
  }

  private static String text(Map<String, String> m) {
    return m.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
  }

  private static final String[] KEYS = {"env", "team", "region", "tier"};
  private static final String[] VALUES = {
    "dev", "prod", "qa", "web", "db", "us-east", "eu-west", "1"
  };

  private static Map<String, String> randomLabels(Random random) {
    Map<String, String> labels = new HashMap<>();
    int n = random.nextInt(KEYS.length + 1);
    for (int i = 0; i < n; i++) {
      labels.put(KEYS[random.nextInt(KEYS.length)], VALUES[random.nextInt(VALUES.length)]);
    }
    return labels;
  }

  private static Role randomRole(String name, Random random) {
    return new Role(name, Map.of(), randomBlock(random, 3), randomBlock(random, 1), 1);
  }

  private static RoleBlock randomBlock(Random random, int maxSelectors) {
    Map<ResourceKind, List<LabelSelector>> labels = new EnumMap<>(ResourceKind.class);
    for (ResourceKind kind : ResourceKind.values()) {
      List<LabelSelector> selectors = new ArrayList<>();
      int n = random.nextInt(maxSelectors + 1);
      for (int i = 0; i < n; i++) {
        selectors.add(randomSelector(random));
      }
      labels.put(kind, selectors);
    }
    return new RoleBlock(
        labels,
        List.of(new RoleRule(EnumSet.noneOf(ApiResource.class), EnumSet.noneOf(Verb.class))));
  }

  private static LabelSelector randomSelector(Random random) {
    if (random.nextInt(40) == 0) {
      return LabelSelector.of(Map.of("*", "*"));
    }
    Map<String, String> expressions = new HashMap<>();
    int n = 1 + random.nextInt(2);
    for (int i = 0; i < n; i++) {
      String value =
          switch (random.nextInt(8)) {
            case 0 -> "*";
            case 1 -> VALUES[random.nextInt(VALUES.length)].substring(0, 1) + "*";
            case 2 -> "*" + VALUES[random.nextInt(VALUES.length)].substring(1);
            case 3 -> "us-*";
            case 4 -> "^(dev|qa|1)$";
            default -> VALUES[random.nextInt(VALUES.length)];
          };
      expressions.put(KEYS[random.nextInt(KEYS.length)], value);
    }
    return LabelSelector.of(expressions);
  }
}
