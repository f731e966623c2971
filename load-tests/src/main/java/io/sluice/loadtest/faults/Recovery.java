package io.sluice.loadtest.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When latency is normal again after a kill, defined precisely so that runs compare.
 *
 * <p>Requests are put in 1 s windows by their <em>intended</em> send time (so a stall shows in the
 * latency of every request that should have gone out during it: no coordinated omission). The
 * <em>baseline</em> is the p99 latency of the answered requests intended in the 10 s that end 1 s
 * before the kill. A window is <em>normal</em> when it has requests, its p99 is at most {@code
 * max(2 × baseline, baseline + 100 ms)} and every request in it was accepted and answered. Latency
 * is <em>normal again</em> at the start of the first window, from the one holding the kill on, that
 * begins a run of {@value #STABLE_WINDOWS} normal windows (fewer if the load ends first); the
 * recovery time is that start minus the kill time, never below 0.
 */
public final class Recovery {
  static final long WINDOW_MS = 1000;
  static final int BASELINE_WINDOWS = 10;
  static final int STABLE_WINDOWS = 3;
  static final double ABSOLUTE_SLACK_MS = 100;

  private Recovery() {}

  /**
   * One 1 s window of requests by intended send time.
   *
   * @param latenciesMs latencies of its answered requests
   * @param unanswered requests that were not accepted or accepted and never answered
   */
  public record Window(long startMs, double[] latenciesMs, int unanswered) {
    public int count() {
      return latenciesMs.length + unanswered;
    }
  }

  /**
   * What one kill cost.
   *
   * @param baselineP99Ms p99 before the kill (see the class comment)
   * @param thresholdMs the p99 a window may have and be normal
   * @param recoveryMs kill to normal again, or -1 if latency never was normal again
   * @param worstMs the highest latency of a request intended within 10 s after the kill
   * @param unanswered requests intended within 10 s after the kill that were not answered
   */
  public record Result(
      double baselineP99Ms, double thresholdMs, long recoveryMs, double worstMs, int unanswered) {}

  /** Puts requests in windows of {@link #WINDOW_MS} by intended time relative to {@code t0}. */
  static List<Window> windows(List<Tracked> requests, long t0Nanos) {
    int n = 0;
    for (Tracked t : requests) {
      n = Math.max(n, (int) ((t.intendedNanos - t0Nanos) / 1_000_000 / WINDOW_MS) + 1);
    }
    List<List<Double>> lat = new ArrayList<>();
    int[] unanswered = new int[n];
    for (int i = 0; i < n; i++) {
      lat.add(new ArrayList<>());
    }
    for (Tracked t : requests) {
      int i = (int) ((t.intendedNanos - t0Nanos) / 1_000_000 / WINDOW_MS);
      if (i < 0) {
        continue;
      }
      if (t.accepted() && t.answered()) {
        lat.get(i).add(t.latencyMs());
      } else {
        unanswered[i]++;
      }
    }
    List<Window> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new Window(
              i * WINDOW_MS,
              lat.get(i).stream().mapToDouble(Double::doubleValue).toArray(),
              unanswered[i]));
    }
    return out;
  }

  /** The recovery after a kill at {@code killMs} (same origin as the windows). */
  public static Result after(List<Window> windows, long killMs) {
    List<Double> base = new ArrayList<>();
    for (Window w : windows) {
      if (w.startMs() >= killMs - (BASELINE_WINDOWS + 1) * WINDOW_MS
          && w.startMs() + WINDOW_MS <= killMs - WINDOW_MS) {
        for (double l : w.latenciesMs()) {
          base.add(l);
        }
      }
    }
    double baseline = p99(base.stream().mapToDouble(Double::doubleValue).toArray());
    double threshold = Math.max(2 * baseline, baseline + ABSOLUTE_SLACK_MS);
    double worst = 0;
    int unanswered = 0;
    for (Window w : windows) {
      if (w.startMs() + WINDOW_MS > killMs && w.startMs() < killMs + 10 * WINDOW_MS) {
        for (double l : w.latenciesMs()) {
          worst = Math.max(worst, l);
        }
        unanswered += w.unanswered();
      }
    }
    long recovery = -1;
    int first = (int) (killMs / WINDOW_MS);
    for (int i = first; i < windows.size(); i++) {
      int run = 0;
      int j = i;
      while (j < windows.size() && run < STABLE_WINDOWS && normal(windows.get(j), threshold)) {
        run++;
        j++;
      }
      if (run == STABLE_WINDOWS || (run > 0 && j == windows.size())) {
        recovery = Math.max(0, windows.get(i).startMs() - killMs);
        break;
      }
    }
    return new Result(baseline, threshold, recovery, worst, unanswered);
  }

  static boolean normal(Window w, double thresholdMs) {
    return w.latenciesMs().length > 0 && w.unanswered() == 0 && p99(w.latenciesMs()) <= thresholdMs;
  }

  /** The nearest-rank p99 (the largest value of fewer than 100). */
  static double p99(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(0.99 * v.length);
    return v[Math.max(0, rank - 1)];
  }
}
