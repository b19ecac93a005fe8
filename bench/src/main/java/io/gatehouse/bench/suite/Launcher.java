package io.gatehouse.bench.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the JVMs the suite starts: the shipped CLI jar and classes of this jar. */
final class Launcher {
  private final Path gatehouseJar;
  private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  Launcher(Path gatehouseJar) {
    if (!gatehouseJar.toFile().isFile()) {
      throw new IllegalArgumentException(
          "no CLI jar at "
              + gatehouseJar
              + ": build it with `mvn -pl modules/cli -am package -DskipTests` (bench/run does)");
    }
    this.gatehouseJar = gatehouseJar;
  }

  /**
   * {@code java -Xmx512m -jar gatehouse.jar ARGS}, as {@code bin/gatehouse} runs it, plus the
   * options in {@code GATEHOUSE_BENCH_JAVA_OPTS} (space-separated; e.g. a JFR recording to profile
   * the proxy and agents under load).
   */
  List<String> gatehouse(String... args) {
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
    String extra = System.getenv("GATEHOUSE_BENCH_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.strip().split("\\s+")));
    }
    cmd.addAll(List.of("-jar", gatehouseJar.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code java -cp benchmarks.jar MAIN ARGS}. */
  List<String> bench(Class<?> main, String... args) {
    String self;
    try {
      self =
          Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", self, main.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
