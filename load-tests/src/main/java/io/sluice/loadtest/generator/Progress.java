package io.sluice.loadtest.generator;

import io.sluice.loadtest.report.TimelinePoint;

/** Receives each timeline sample while a run is going, e.g. to draw a progress bar. */
@FunctionalInterface
public interface Progress {
  /**
   * Receives the sample of the interval just closed, and the run's totals so far.
   *
   * @param point the interval just closed
   * @param elapsedSeconds since the run started
   * @param totalSeconds scheduled length of the run (replies may still arrive after it)
   * @param sent requests sent so far, warm-up included
   * @param ok OK replies so far
   * @param errors errors so far
   */
  void onSample(
      TimelinePoint point,
      double elapsedSeconds,
      double totalSeconds,
      long sent,
      long ok,
      long errors);

  Progress NONE = (p, e, t, s, o, x) -> {};
}
