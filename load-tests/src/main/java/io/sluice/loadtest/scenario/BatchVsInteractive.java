package io.sluice.loadtest.scenario;

import io.sluice.avro.Priority;
import io.sluice.loadtest.generator.GeneratorSettings;
import io.sluice.loadtest.generator.InputKind;
import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Payloads;
import io.sluice.loadtest.report.RunResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code batch-vs-interactive}: the same interactive load on {@code sentiment} twice, first alone,
 * then beside one large batch job (BULK lines to the same app). It shows what a batch job costs
 * interactive traffic (the router never lets BULK requests share or hold up an INTERACTIVE batch)
 * and what the job gets done meanwhile.
 */
public final class BatchVsInteractive {
  public static final String NAME = "batch-vs-interactive";

  /** The app both loads call. */
  public static final String APP = "sentiment";

  private BatchVsInteractive() {}

  /** The interactive load, run under {@code label} ({@code alone} or {@code with-job}). */
  public static Scenario interactive(String label, double rateScale) {
    return new Scenario(
        NAME + ":" + label,
        "Interactive sentiment at 20/s ("
            + label
            + "): its p50/p99 alone and beside a large batch job on the same deployment.",
        GeneratorSettings.steady(APP, 20 * rateScale, Duration.ofSeconds(40), Duration.ofSeconds(5))
            .withInputKind(InputKind.JSON),
        List.of(APP));
  }

  /** The lines of the batch job, all due now (a job arrives whole). */
  public static List<LoadRequest> jobLines(int lines, int payloadBytes, long nowNanos) {
    String text = Payloads.text(payloadBytes);
    List<LoadRequest> out = new ArrayList<>(lines);
    for (int i = 0; i < lines; i++) {
      out.add(
          new LoadRequest(
              i, "bvi-" + i, APP, null, Priority.BULK, InputKind.JSON, text, nowNanos, false));
    }
    return out;
  }

  /**
   * The note that compares the two runs: interactive p50/p99 alone and with the job, their ratio,
   * and the job's lines answered and rate during the run.
   */
  public static String compare(
      RunResult alone, RunResult withJob, int jobLines, long jobAnswered, double jobSeconds) {
    double p99Alone = alone.summary().latency().p99();
    double p99With = withJob.summary().latency().p99();
    return String.format(
        Locale.ROOT,
        "Interactive p50/p99: alone %.2f/%.2f ms, beside the job %.2f/%.2f ms (p99 ratio %.2f)."
            + " The job (%d BULK lines, Kafka-direct batch runner) answered %d lines in %.1f s"
            + " (%.1f lines/s) while the interactive load ran.",
        alone.summary().latency().p50(),
        p99Alone,
        withJob.summary().latency().p50(),
        p99With,
        p99Alone <= 0 ? Double.NaN : p99With / p99Alone,
        jobLines,
        jobAnswered,
        jobSeconds,
        jobSeconds <= 0 ? 0 : jobAnswered / jobSeconds);
  }
}
