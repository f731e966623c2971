package io.sluice.loadtest.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** Latency percentiles in milliseconds, from a histogram recorded in microseconds. */
public record Percentiles(
    long count,
    double min,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    double mean) {

  public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0, 0);

  /** Percentiles of a histogram whose values are microseconds. */
  public static Percentiles ofMicros(Histogram h) {
    if (h == null || h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new Percentiles(
        h.getTotalCount(),
        ms(h.getMinValue()),
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()),
        Math.round(h.getMean()) / 1000.0);
  }

  /**
   * The median of values known only on a grid of width {@code grid} (in the histogram's unit):
   * durations between millisecond timestamps, say, which land on whole milliseconds. Each value
   * stands for the interval of width {@code grid} around it, and the median is interpolated
   * linearly inside the interval that holds the middle of the data (the grouped-data median). The
   * plain median of such data jumps a whole grid step when a few values move across a boundary: a
   * median near 1.25 ms on a 0.5 ms grid reads 1.0 in one run and 1.5 in the next, 50 % apart. This
   * one moves by the share of values that moved. 0 when empty; never below 0, since a histogram
   * holds no negative values and the middle can lie no lower than half way into the lowest
   * interval.
   */
  public static double groupedMedian(Histogram h, long grid) {
    if (grid <= 0) {
      throw new IllegalArgumentException("grid must be positive: " + grid);
    }
    long n = h.getTotalCount();
    if (n == 0) {
      return 0;
    }
    double half = n / 2.0;
    long below = 0;
    for (HistogramIterationValue v : h.recordedValues()) {
      long count = v.getCountAtValueIteratedTo();
      if (below + count >= half) {
        // The histogram's buckets are far narrower than the grid: rounding gives the grid point.
        double point = Math.round(v.getValueIteratedTo() / (double) grid) * (double) grid;
        return point - grid / 2.0 + grid * (half - below) / count;
      }
      below += count;
    }
    throw new IllegalStateException("unreachable: the counts add up to the total");
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
