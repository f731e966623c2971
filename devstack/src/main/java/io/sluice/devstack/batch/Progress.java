package io.sluice.devstack.batch;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress bar of {@code sluice batch run} on stderr: done/failed/total, lines in flight, the
 * rate of this run and the time left. On a terminal the line is redrawn in place (at most every
 * {@link #TTY_EVERY_NANOS}); otherwise (a log file, CI) a plain line is printed every {@link
 * #PLAIN_EVERY_NANOS}, so logs stay readable.
 *
 * <p>Counters are thread-safe; {@link #tick} is called by one timer thread and {@link #finish}
 * once.
 */
public final class Progress {
  static final long TTY_EVERY_NANOS = 200_000_000L;
  static final long PLAIN_EVERY_NANOS = 5_000_000_000L;
  private static final int BAR = 24;

  private final PrintStream out;
  private final boolean tty;
  private final long total;
  private final long startNanos;
  private final AtomicLong ok;
  private final AtomicLong failed;
  private final AtomicLong answeredThisRun = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private long lastPrintNanos;
  private int lastWidth;

  /**
   * Starts counting.
   *
   * @param okBefore lines answered successfully before this run (a resume)
   * @param failedBefore lines that failed before this run
   */
  public Progress(
      PrintStream out, boolean tty, long total, long okBefore, long failedBefore, long nowNanos) {
    this.out = out;
    this.tty = tty;
    this.total = total;
    this.ok = new AtomicLong(okBefore);
    this.failed = new AtomicLong(failedBefore);
    this.startNanos = nowNanos;
    this.lastPrintNanos = nowNanos;
  }

  /** A line was answered (written to the output file). */
  public void answered(boolean success) {
    (success ? ok : failed).incrementAndGet();
    answeredThisRun.incrementAndGet();
  }

  /** A line was sent (+1) or left the window (-1). */
  public void inFlight(int delta) {
    inFlight.addAndGet(delta);
  }

  /** Lines answered successfully, this run and before. */
  public long ok() {
    return ok.get();
  }

  /** Lines answered with a failure, this run and before. */
  public long failed() {
    return failed.get();
  }

  /** Lines answered by this run. */
  public long answeredThisRun() {
    return answeredThisRun.get();
  }

  /** Prints the line if it is due. */
  public synchronized void tick(long nowNanos) {
    long every = tty ? TTY_EVERY_NANOS : PLAIN_EVERY_NANOS;
    if (nowNanos - lastPrintNanos < every) {
      return;
    }
    lastPrintNanos = nowNanos;
    print(nowNanos, false);
  }

  /** Prints the final line (always), ending it with a newline. */
  public synchronized void finish(long nowNanos) {
    print(nowNanos, true);
  }

  private void print(long nowNanos, boolean last) {
    String line = render(snapshot(nowNanos));
    if (tty) {
      // Redraw in place; pad with spaces over a longer previous line.
      String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
      out.print("\r" + line + pad + (last ? "\n" : ""));
      lastWidth = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** The counters now. */
  public Snapshot snapshot(long nowNanos) {
    return new Snapshot(
        ok.get(),
        failed.get(),
        total,
        inFlight.get(),
        answeredThisRun.get(),
        nowNanos - startNanos);
  }

  /**
   * What the bar shows.
   *
   * @param ok lines answered successfully (this run and before)
   * @param failed lines answered with a failure (this run and before)
   * @param total lines in the input file
   * @param inFlight lines sent and not answered
   * @param answeredThisRun lines this run answered (the rate counts only these)
   * @param elapsedNanos time since this run started
   */
  public record Snapshot(
      long ok, long failed, long total, long inFlight, long answeredThisRun, long elapsedNanos) {
    /** Lines answered either way. */
    public long done() {
      return ok + failed;
    }

    /** Lines answered per second by this run, or 0 before the first. */
    public double rate() {
      return elapsedNanos <= 0 ? 0 : answeredThisRun * 1e9 / elapsedNanos;
    }
  }

  /**
   * One progress line, e.g. {@code [##########..............] 1200/2000 60% | failed 3 | in flight
   * 64 | 350.2 lines/s | ETA 2s}.
   */
  public static String render(Snapshot s) {
    long done = s.done();
    StringBuilder sb = new StringBuilder(bar(done, s.total()));
    sb.append(" | failed ").append(s.failed());
    sb.append(" | in flight ").append(s.inFlight());
    double rate = s.rate();
    sb.append(" | ").append(String.format(Locale.ROOT, "%.1f", rate)).append(" lines/s");
    long left = s.total() - done;
    sb.append(" | ETA ");
    if (left <= 0) {
      sb.append("0s");
    } else if (rate <= 0) {
      sb.append("--");
    } else {
      sb.append(duration((long) Math.ceil(left / rate)));
    }
    return sb.toString();
  }

  /** {@code [######..................] 25/100 25%}. */
  public static String bar(long done, long total) {
    double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.floor(fraction * BAR);
    return "["
        + "#".repeat(filled)
        + ".".repeat(BAR - filled)
        + "] "
        + done
        + "/"
        + total
        + " "
        + (int) Math.floor(fraction * 100)
        + "%";
  }

  /** {@code 42s}, {@code 3m05s}, {@code 2h07m}. */
  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
