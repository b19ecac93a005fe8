package io.gatehouse.bench.suite;

/**
 * How long and how often the suite measures: the full pass, or {@code --quick}. Every path gets
 * {@code firstWarmupSeconds} of keep-alive load before the first scenario, then {@code
 * warmupSeconds} before each: the proxy's and agents' JIT needs 30 to 45 s of traffic to reach
 * steady state (measured: 3.5k → 8.7k requests/s over the first 45 s).
 */
record Settings(
    boolean quick,
    int rounds,
    int firstWarmupSeconds,
    int warmupSeconds,
    int httpSeconds,
    int httpConnections,
    long bulkBytes,
    int roundTrips,
    int failoverRounds,
    int fleetRounds) {

  static Settings full() {
    return new Settings(false, 3, 45, 10, 10, 16, 1L << 30, 20_000, 3, 3);
  }

  static Settings fast() {
    return new Settings(true, 1, 5, 2, 3, 16, 64L << 20, 2_000, 1, 1);
  }
}
