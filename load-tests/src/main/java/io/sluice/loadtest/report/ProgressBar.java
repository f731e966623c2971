package io.sluice.loadtest.report;

import io.sluice.loadtest.generator.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The console progress line: elapsed/total, sent, completed, errors, backlog and the last
 * interval's p50/p99. Redraws one line on a terminal; prints a line every 10 s otherwise.
 */
public final class ProgressBar implements Progress {
  private static final int WIDTH = 24;

  private final PrintStream out;
  private final String label;
  private final boolean terminal;
  private double lastPrinted = -1;

  public ProgressBar(PrintStream out, String label, boolean terminal) {
    this.out = out;
    this.label = label;
    this.terminal = terminal;
  }

  @Override
  public void onSample(
      TimelinePoint p, double elapsed, double total, long sent, long ok, long errors) {
    String line = render(label, p, elapsed, total, sent, ok, errors);
    if (terminal) {
      out.print("\r" + line + "   ");
      out.flush();
    } else if (elapsed - lastPrinted >= 10 || elapsed >= total) {
      out.println(line);
      lastPrinted = elapsed;
    }
  }

  /** Ends the line on a terminal. */
  public void done() {
    if (terminal) {
      out.println();
    }
  }

  /** One progress line. */
  public static String render(
      String label,
      TimelinePoint p,
      double elapsed,
      double total,
      long sent,
      long ok,
      long errors) {
    int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, Math.round(WIDTH * elapsed / total));
    return String.format(
        Locale.ROOT,
        "%-10s [%s%s] %4.0f/%.0fs sent %d done %d err %d backlog %d p50 %.1fms p99 %.1fms%s",
        label,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        elapsed,
        total,
        sent,
        ok,
        errors,
        p.backlog(),
        p.p50(),
        p.p99(),
        elapsed > total ? " (draining)" : "");
  }
}
