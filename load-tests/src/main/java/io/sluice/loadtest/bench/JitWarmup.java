package io.sluice.loadtest.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Warm-up that lasts until the JIT has gone quiet, rather than for a fixed count. On 2 cores the
 * JIT compilers take half a core or more for the first one to two minutes of a closed-loop phase,
 * so a fixed warm-up leaves the first measured rounds slower than the rest, by an amount that
 * depends on how busy the machine is. A step is repeated until, twice in a row, the JVM spent under
 * {@value #QUIET_SHARE_PERCENT} % of the step's wall time compiling, or until the cap has passed
 * (then it says so).
 */
public final class JitWarmup {
  static final int QUIET_SHARE_PERCENT = 5;

  /** Help text of a benchmark's {@code --warmup-cap} option. */
  public static final String CAP_HELP =
      "Longest closed-loop warm-up in seconds; it ends sooner once the JIT is quiet (on 2 cores"
          + " that took 76-121 s).";

  private JitWarmup() {}

  /** One warm-up step: the work the measured rounds will do, for a short time. */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** What a warm-up did. */
  public record Outcome(int steps, double seconds, boolean quiet, double lastShare) {}

  /**
   * Runs {@code step} until the JIT is quiet or {@code maxSeconds} have passed, and prints what it
   * did. Where the JVM does not report compilation time, runs one step.
   */
  public static Outcome untilQuiet(String what, Step step, int maxSeconds) throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      step.run();
      System.out.printf(
          "warm-up (%s): one step (this JVM does not report compilation time)%n", what);
      return new Outcome(1, Double.NaN, false, Double.NaN);
    }
    Outcome o = untilQuiet(step, maxSeconds, jit::getTotalCompilationTime, System::nanoTime);
    System.out.printf(
        Locale.ROOT,
        "warm-up (%s): %d steps, %.0f s; %s%n",
        what,
        o.steps(),
        o.seconds(),
        o.quiet()
            ? String.format(
                Locale.ROOT,
                "the JIT went quiet (%.1f %% of the last step compiling)",
                o.lastShare() * 100)
            : String.format(
                Locale.ROOT,
                "stopped at the %d s cap with the JIT still compiling %.0f %% of the last step",
                maxSeconds,
                o.lastShare() * 100));
    return o;
  }

  /** The loop, with the JIT's total compilation time (ms) and the clock (ns) given. */
  static Outcome untilQuiet(Step step, int maxSeconds, LongSupplier compiledMs, LongSupplier nanos)
      throws Exception {
    long start = nanos.getAsLong();
    long deadline = start + maxSeconds * 1_000_000_000L;
    int quietSteps = 0;
    int steps = 0;
    double share;
    while (true) {
      long compiled = compiledMs.getAsLong();
      long t0 = nanos.getAsLong();
      step.run();
      steps++;
      long t1 = nanos.getAsLong();
      share = (compiledMs.getAsLong() - compiled) / Math.max(1e-6, (t1 - t0) / 1e6);
      quietSteps = share * 100 < QUIET_SHARE_PERCENT ? quietSteps + 1 : 0;
      if (quietSteps == 2 || t1 >= deadline) {
        return new Outcome(steps, (t1 - start) / 1e9, quietSteps == 2, share);
      }
    }
  }
}
