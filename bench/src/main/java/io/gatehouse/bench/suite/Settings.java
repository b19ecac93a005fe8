package io.gatehouse.bench.suite;

/** How long and how often the suite measures: the full pass, or {@code --quick}. */
record Settings(
    boolean quick,
    int rounds,
    int warmupSeconds,
    int httpSeconds,
    int httpConnections,
    long bulkBytes,
    int roundTrips,
    int failoverRounds,
    int fleetRounds) {

  static Settings full() {
    return new Settings(false, 3, 5, 10, 16, 1L << 30, 20_000, 3, 3);
  }

  static Settings fast() {
    return new Settings(true, 1, 2, 4, 16, 128L << 20, 3_000, 1, 1);
  }
}
