package io.gatehouse.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Medians and nearest-rank percentiles of a driver's samples. */
public final class Stats {
  private Stats() {}

  /**
   * The median of {@code values}, ignoring NaN (a figure a round could not measure); NaN if none.
   */
  public static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values.stream().filter(v -> !v.isNaN()).toList());
    Collections.sort(sorted);
    int n = sorted.size();
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The nearest-rank percentile {@code q} (0 < q <= 1) of {@code values}, which it sorts. */
  public static long percentile(long[] values, double q) {
    Arrays.sort(values);
    int rank = (int) Math.ceil(values.length * q);
    return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
  }
}
