package io.gatehouse.bench.suite;

import io.gatehouse.lifecycle.FileTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code benchmarks.jar health-cost [--resources N] [--warmup S] [--window S]} and {@code
 * benchmarks.jar target-down [--interval S --cycles N]...} (each also takes {@code --gatehouse-jar
 * JAR}): the two measurements of issue 16's performance goals on their own, printing their table
 * and its JSON. {@code bench/run --only health} runs both inside the suite.
 */
public final class HealthBench {
  private HealthBench() {}

  /** The health scenario as the suite runs it: the cost, then the propagation at 1 s and 5 s. */
  static List<Table> suite(Launcher launcher, Path work, boolean quick) throws Exception {
    List<Table> tables = new ArrayList<>();
    tables.add(
        new HealthCostScenario(
                launcher,
                work.resolve("health-cost"),
                1_000,
                // The checks' steady state: on a 2-core machine C2 is still recompiling the
                // connection set-up and tear-down of the check path a minute in
                // (docs/benchmarks.md).
                Duration.ofSeconds(quick ? 10 : 150),
                Duration.ofSeconds(quick ? 10 : 60))
            .run());
    tables.add(
        new TargetDownScenario(
                launcher,
                work,
                quick
                    ? List.of(new TargetDownScenario.Run(Duration.ofSeconds(1), 10))
                    : List.of(
                        new TargetDownScenario.Run(Duration.ofSeconds(1), 40),
                        new TargetDownScenario.Run(Duration.ofSeconds(5), 10)))
            .run());
    return tables;
  }

  public static void cost(String[] args) throws Exception {
    Path jar = Path.of("modules/cli/target/gatehouse.jar");
    int resources = 1_000;
    int warmup = 60;
    int window = 30;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--gatehouse-jar" -> jar = Path.of(args[++i]);
        case "--resources" -> resources = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--window" -> window = Integer.parseInt(args[++i]);
        default -> usage();
      }
    }
    Launcher launcher = new Launcher(jar);
    Path work = Files.createTempDirectory("gatehouse-health-cost-");
    System.out.println("machine: " + Machine.summary(Machine.describe(false)));
    try {
      print(
          new HealthCostScenario(
                  launcher, work, resources, Duration.ofSeconds(warmup), Duration.ofSeconds(window))
              .run());
    } finally {
      Children.stopAll();
      FileTree.delete(work);
    }
  }

  public static void targetDown(String[] args) throws Exception {
    Path jar = Path.of("modules/cli/target/gatehouse.jar");
    List<TargetDownScenario.Run> runs = new ArrayList<>();
    Duration interval = Duration.ofSeconds(1);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--gatehouse-jar" -> jar = Path.of(args[++i]);
        case "--interval" -> interval = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--cycles" ->
            runs.add(new TargetDownScenario.Run(interval, Integer.parseInt(args[++i])));
        default -> usage();
      }
    }
    if (runs.isEmpty()) {
      runs.add(new TargetDownScenario.Run(interval, 40));
    }
    Launcher launcher = new Launcher(jar);
    Path work = Files.createTempDirectory("gatehouse-target-down-");
    System.out.println("machine: " + Machine.summary(Machine.describe(false)));
    try {
      print(new TargetDownScenario(launcher, work, runs).run());
    } finally {
      Children.stopAll();
      FileTree.delete(work);
    }
  }

  private static void print(Table t) {
    System.out.print(t.render());
    System.out.println(t.json().encode());
  }

  private static void usage() {
    System.err.println(
        "usage: benchmarks.jar health-cost [--gatehouse-jar JAR] [--resources N] [--warmup S] [--window S]"
            + " | target-down [--gatehouse-jar JAR] [--interval S --cycles N]...");
    System.exit(2);
  }
}
