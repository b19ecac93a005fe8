package io.gatehouse.bench.suite;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles for the suite's tables. */
final class Stats {
  private Stats() {}

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The {@code q}-quantile (0..1) of {@code sorted}, nearest rank. */
  static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  static long[] sorted(long[] values) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }
}
