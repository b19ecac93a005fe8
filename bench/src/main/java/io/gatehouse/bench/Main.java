package io.gatehouse.bench;

import java.util.Arrays;

/**
 * Entry point of {@code benchmarks.jar}: {@code materialize}, {@code converge}, {@code fleet},
 * {@code tunnels}, {@code tunnel-fleet}, {@code suite}, {@code login}, {@code chaos}, {@code
 * health-cost}, {@code target-down} or {@code jmh [JMH args]}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (command) {
      case "materialize" -> MaterializeBench.main(rest);
      case "converge" -> ConvergenceBench.main(rest);
      case "fleet" -> FleetScaleBench.main(rest);
      case "proxy-child" -> ProxyChild.main(rest); // the proxy JVM that "fleet" starts
      case "tunnels" -> TunnelMemoryBench.main(rest);
      case "tunnel-fleet-child" -> TunnelFleet.main(rest); // the simulated agents of the two below
      case "tunnel-fleet" -> TunnelFleetBench.main(rest);
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "suite" -> io.gatehouse.bench.suite.Suite.main(rest);
      case "login" -> LoginBench.main(rest);
      case "chaos" -> io.gatehouse.bench.chaos.ChaosRun.main(rest);
      case "health-cost" -> io.gatehouse.bench.suite.HealthBench.cost(rest);
      case "target-down" -> io.gatehouse.bench.suite.HealthBench.targetDown(rest);
      default -> {
        System.err.println(
            "usage: benchmarks.jar materialize [records] [rounds] | converge [resources] [window-seconds]"
                + " | fleet <records> [--rounds N] [--quick] [--samples N] [--window SECONDS] [--proxy-xmx SIZE]"
                + " | tunnels <agents> [--serve R] [--steps K] [--idle SECONDS] [--proxy-xmx SIZE] [--fleet-xmx SIZE]"
                + " | tunnel-fleet <agents> [--serve R] [--steps K] [--idle SECONDS] [--window SECONDS]"
                + " [--samples N] [--fleet-jvms J] [--in-flight K] [--proxy-xmx SIZE] [--fleet-xmx SIZE] [--extrapolate-to N]"
                + " | login [--logins N] [--warmup W] [--concurrency C[,C...]]"
                + " | chaos [--only broker,proxy,agent-freeze,kafka-outage] [--port-base B] [--keep]"
                + " | health-cost [--resources N] [--warmup S] [--window S]"
                + " | target-down [--interval S --cycles N]..."
                + " | jmh [JMH args]");
        System.exit(2);
      }
    }
  }
}
