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
 * {@code batch-vs-interactive}: the same interactive load on one app twice, first alone, then
 * beside one large batch job (BULK lines to the same app). It shows what a batch job costs
 * interactive traffic (the router never lets BULK requests share or hold up an INTERACTIVE batch)
 * and what the job gets done meanwhile. The app is {@code sentiment} (a CPU-bound function) unless
 * {@code --app} names another: {@code load-tests/slot-bound.yaml}'s {@code slot-bound} is an LLM
 * deployment on the vLLM simulator, whose capacity is its worker slots, not the host's CPU.
 */
public final class BatchVsInteractive {
  public static final String NAME = "batch-vs-interactive";

  /** The app both loads call unless {@code --app} says otherwise. */
  public static final String DEFAULT_APP = "sentiment";

  private BatchVsInteractive() {}

  /**
   * What both loads call: the app, the input its function takes, and the deployments whose replicas
   * and lag are sampled.
   */
  public record Subject(String app, InputKind input, List<String> deployments) {
    public Subject {
      deployments = List.copyOf(deployments);
    }
  }

  /**
   * The interactive load on {@code subject}, run under {@code label} ({@code alone} or {@code
   * with-job}) for {@code duration} after {@code warmup} (not counted).
   */
  public static Scenario interactive(
      Subject subject, String label, double rateScale, Duration duration, Duration warmup) {
    return new Scenario(
        NAME + ":" + label,
        "Interactive "
            + subject.app()
            + " at 20/s ("
            + label
            + "): its p50/p99 alone and beside a large batch job on the same deployment.",
        GeneratorSettings.steady(subject.app(), 20 * rateScale, duration, warmup)
            .withInputKind(subject.input()),
        subject.deployments());
  }

  /**
   * How long the interactive runs last: as long as the job took alone (so the run beside a job of
   * the same size is measured while the job runs), at least 10 s.
   */
  public static Duration window(JobRun jobAlone) {
    return Duration.ofMillis(Math.max(10_000, Math.round(jobAlone.seconds() * 1000)));
  }

  /** The lines of the batch job to {@code subject}'s app, all due now (a job arrives whole). */
  public static List<LoadRequest> jobLines(
      Subject subject, int lines, int payloadBytes, long nowNanos) {
    String text = Payloads.text(payloadBytes);
    List<LoadRequest> out = new ArrayList<>(lines);
    for (int i = 0; i < lines; i++) {
      out.add(
          new LoadRequest(
              i,
              "bvi-" + i,
              subject.app(),
              null,
              Priority.BULK,
              subject.input(),
              text,
              nowNanos,
              false));
    }
    return out;
  }

  /**
   * One run of the job: lines answered, seconds from the first send to the last answer (or to the
   * end of the interactive run beside it, if the job was not finished by then).
   */
  public record JobRun(long answered, double seconds, boolean finished) {
    public double rate() {
      return seconds <= 0 ? 0 : answered / seconds;
    }
  }

  /** Issue 16's goals for this scenario: interactive p99 within 1.2x, the job at 0.8 or more. */
  public static final double P99_GOAL = 1.2;

  public static final double JOB_GOAL = 0.8;

  /**
   * The note that compares the runs: interactive p50/p99 alone and beside the job and their p99
   * ratio (goal at most 1.2), and the job's rate beside the interactive load over its rate alone
   * (goal at least 0.8).
   */
  public static String compare(
      RunResult alone, RunResult withJob, int jobLines, JobRun jobAlone, JobRun jobWith) {
    double p99Alone = alone.summary().latency().p99();
    double p99With = withJob.summary().latency().p99();
    double p99Ratio = p99Alone <= 0 ? Double.NaN : p99With / p99Alone;
    double jobRatio = jobAlone.rate() <= 0 ? Double.NaN : jobWith.rate() / jobAlone.rate();
    return String.format(
        Locale.ROOT,
        "Interactive p50/p99: alone %.2f/%.2f ms, beside the job %.2f/%.2f ms (p99 ratio %.2f,"
            + " goal <= %.1f: %s). The job (%d BULK lines, Kafka-direct batch runner): alone %d"
            + " lines in %.1f s (%.1f lines/s); beside the interactive load %d lines in %.1f s"
            + " (%.1f lines/s%s); ratio %.2f, goal >= %.1f: %s.",
        alone.summary().latency().p50(),
        p99Alone,
        withJob.summary().latency().p50(),
        p99With,
        p99Ratio,
        P99_GOAL,
        p99Ratio <= P99_GOAL ? "pass" : "short",
        jobLines,
        jobAlone.answered(),
        jobAlone.seconds(),
        jobAlone.rate(),
        jobWith.answered(),
        jobWith.seconds(),
        jobWith.rate(),
        jobWith.finished() ? ", finished" : ", still running when the interactive load ended",
        jobRatio,
        JOB_GOAL,
        jobRatio >= JOB_GOAL ? "pass" : "short");
  }
}
