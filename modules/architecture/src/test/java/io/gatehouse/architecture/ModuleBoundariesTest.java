package io.gatehouse.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module map of {@code docs/architecture.md}, kept by the build: every module's main classes
 * (package {@code io.gatehouse.<module>}) may use only the modules listed for it here, and nothing
 * outside a module uses its {@code internal} or {@code internals} packages. A new module fails
 * {@link #everyModuleIsInTheMap} until it is given its place.
 */
class ModuleBoundariesTest {
  private static final String ROOT = "io.gatehouse";

  /** Module → the modules its main code may use. Dependencies point one way: down this list. */
  static final Map<String, Set<String>> MAY_USE =
      Map.ofEntries(
          Map.entry("lifecycle", Set.of()),
          Map.entry("config", Set.of()),
          Map.entry("pki", Set.of("config")),
          Map.entry("oidc", Set.of("config")),
          Map.entry("events", Set.of("config")),
          Map.entry("access", Set.of("config", "events")),
          Map.entry("broker", Set.of("lifecycle")),
          Map.entry("kafka", Set.of("events", "lifecycle")),
          Map.entry("state", Set.of("events", "kafka")),
          Map.entry("relay", Set.of("config", "events")),
          Map.entry("testkit", Set.of("broker", "events", "lifecycle")),
          Map.entry("agent", Set.of("config", "events", "lifecycle", "pki", "relay")),
          Map.entry(
              "proxy",
              Set.of(
                  "access",
                  "config",
                  "events",
                  "kafka",
                  "lifecycle",
                  "oidc",
                  "pki",
                  "relay",
                  "state")),
          Map.entry(
              "cli",
              Set.of(
                  "access",
                  "agent",
                  "proxy",
                  "broker",
                  "config",
                  "events",
                  "kafka",
                  "lifecycle",
                  "oidc",
                  "pki",
                  "relay",
                  "state")));

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  static Set<String> modules() {
    return MAY_USE.keySet();
  }

  @Test
  void everyModuleIsInTheMap() {
    Set<String> found =
        CLASSES.stream()
            .map(JavaClass::getPackageName)
            .filter(p -> p.startsWith(ROOT + "."))
            .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(found).as("modules with main classes").isNotEmpty();
    assertThat(MAY_USE.keySet()).containsAll(found);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void dependenciesPointDownTheModuleMap(String module) {
    mayUseOnly(module, MAY_USE.get(module)).check(CLASSES);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void nothingOutsideAModuleUsesItsInternals(String module) {
    internalsKeptIn(ROOT + "." + module, ROOT + "." + module).check(CLASSES);
  }

  /** The rules above are not vacuous: they see real dependencies when the map forbids them. */
  @Test
  void theRulesCatchAViolation() {
    assertThatThrownBy(() -> mayUseOnly("agent", Set.of("config", "relay")).check(CLASSES))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("io.gatehouse.events");
    // The agent's root package uses its internals: allowed only inside them, that is a violation.
    assertThatThrownBy(
            () -> internalsKeptIn(ROOT + ".agent.internal", ROOT + ".agent").check(CLASSES))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("io.gatehouse.agent.Agent");
  }

  private static ArchRule mayUseOnly(String module, Set<String> allowed) {
    String[] forbidden =
        MAY_USE.keySet().stream()
            .filter(other -> !other.equals(module) && !allowed.contains(other))
            .map(other -> ROOT + "." + other + "..")
            .toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAPackage(ROOT + "." + module + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(forbidden)
        .because(module + " may use only " + allowed + " (docs/architecture.md)")
        .allowEmptyShould(true);
  }

  /** Only classes in {@code allowedIn} may use the internal packages below {@code owner}. */
  private static ArchRule internalsKeptIn(String allowedIn, String owner) {
    return noClasses()
        .that()
        .resideOutsideOfPackage(allowedIn + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(owner + "..internal..", owner + "..internals..")
        .because("a module's internal packages are its own; use its public API")
        .allowEmptyShould(true);
  }

  @Test
  void packagesOfAModuleHaveNoCycles() {
    slices().matching(ROOT + ".(*).(*)..").should().beFreeOfCycles().check(CLASSES);
  }
}
