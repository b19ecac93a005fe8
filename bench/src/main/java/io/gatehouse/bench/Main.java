package io.gatehouse.bench;

import java.util.Arrays;

/** Entry point of {@code benchmarks.jar}: {@code materialize [records] [rounds]} or {@code jmh [JMH args]}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (command) {
      case "materialize" -> MaterializeBench.main(rest);
      case "converge" -> ConvergenceBench.main(rest);
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "suite" -> io.gatehouse.bench.suite.Suite.main(rest);
      default -> {
        System.err.println("usage: benchmarks.jar materialize [records] [rounds] | converge [resources] [window-seconds] | jmh [JMH args]");
        System.exit(2);
      }
    }
  }
}
