package io.gatehouse.bench.suite;

import java.util.List;

/**
 * One tier of a compared path (proxy, agents, upstream, broker) and the processes that make it up.
 */
record Hop(String tier, List<Child> processes) {
  static Hop of(String tier, Child... processes) {
    return new Hop(tier, List.of(processes));
  }

  double cpuSeconds() {
    return processes.stream().mapToDouble(Child::cpuSeconds).sum();
  }
}
