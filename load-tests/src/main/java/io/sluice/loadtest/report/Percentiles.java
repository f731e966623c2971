package io.sluice.loadtest.report;

import org.HdrHistogram.Histogram;

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

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
