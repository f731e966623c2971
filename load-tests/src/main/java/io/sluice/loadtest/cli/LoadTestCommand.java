package io.sluice.loadtest.cli;

import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.entry.BatchJobTarget;
import io.sluice.loadtest.entry.ConsumerGroupGauges;
import io.sluice.loadtest.entry.EchoReplier;
import io.sluice.loadtest.entry.HttpTarget;
import io.sluice.loadtest.entry.KafkaTarget;
import io.sluice.loadtest.generator.Gauges;
import io.sluice.loadtest.generator.GeneratorSettings;
import io.sluice.loadtest.generator.InputKind;
import io.sluice.loadtest.generator.Target;
import io.sluice.loadtest.report.HtmlReport;
import io.sluice.loadtest.report.JsonReport;
import io.sluice.loadtest.report.ProgressBar;
import io.sluice.loadtest.report.RunResult;
import io.sluice.loadtest.report.Summary;
import io.sluice.loadtest.scenario.BatchVsInteractive;
import io.sluice.loadtest.scenario.Scenario;
import io.sluice.loadtest.scenario.ScenarioRunner;
import io.sluice.loadtest.scenario.Scenarios;
import io.sluice.schemas.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code load}: runs open-loop load against Sluice and writes a JSON and a self-contained HTML
 * report. Either named scenarios ({@code --scenario standard} runs them all) or one custom run from
 * the flags.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Open-loop load generator for Sluice (latency from intended send time, HdrHistogram).",
      "Runs --scenario NAME... (or 'standard' for all of "
          + "steady, burst, ab-sticky,"
          + " priority-mix, large-payload), or else one custom run from --app/--rate/...",
      "Writes <out>/results.json and <out>/report.html (also kept with a timestamp)."
    })
public final class LoadTestCommand implements Callable<Integer> {
  @Option(
      names = "--scenario",
      split = ",",
      paramLabel = "NAME",
      description =
          "Scenario(s) to run: standard, steady, burst, ab-sticky, priority-mix,"
              + " large-payload, batch-vs-interactive (not in standard). Without it, one custom"
              + " run from the flags below.")
  List<String> scenarios = new ArrayList<>();

  @Option(
      names = "--entry",
      defaultValue = "kafka",
      description =
          "Entry path: kafka (Avro to sluice.requests.<app>), http (bridge"
              + " /v1/apps/{app}/infer), http-async (Prefer: respond-async + long-poll), batch"
              + " (requests gathered into batch jobs, run by the Kafka-direct runner of `sluice"
              + " batch run`). Default: ${DEFAULT-VALUE}.")
  String entry;

  @Option(
      names = "--bootstrap-servers",
      defaultValue = "${env:SLUICE_KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
  String bootstrapServers;

  @Option(
      names = "--schema-registry",
      defaultValue = "${env:SLUICE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
      description = "Schema Registry URL. Default: ${DEFAULT-VALUE}.")
  String registryUrl;

  @Option(
      names = "--bridge-url",
      defaultValue = "http://localhost:8080",
      description = "Bridge base URL. Default: ${DEFAULT-VALUE}.")
  String bridgeUrl;

  @Option(names = "--api-key", description = "Bearer API key for the bridge, if it needs one.")
  String apiKey;

  @Option(
      names = "--app",
      defaultValue = "sentiment",
      description =
          "App (custom run; batch-vs-interactive: the app both loads call, with --input and"
              + " --deployments). Default: ${DEFAULT-VALUE}.")
  String app;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "Arrivals per second (custom run). Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Measured duration (custom run). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Warm-up before the measured window (custom run). Default: ${DEFAULT-VALUE}.")
  Duration warmup;

  @Option(
      names = "--payload-bytes",
      defaultValue = "256",
      description = "Input text size in bytes (custom run). Default: ${DEFAULT-VALUE}.")
  int payloadBytes;

  @Option(
      names = "--keys",
      defaultValue = "uniform:1000",
      description =
          "Key distribution: none, uniform:N, zipf:N[:S], fixed:N (custom run)."
              + " Default: ${DEFAULT-VALUE}.")
  String keys;

  @Option(
      names = "--concurrency",
      defaultValue = "1000",
      description =
          "Most requests in flight; more wait in a counted backlog. Default:"
              + " ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(
      names = "--bulk-fraction",
      defaultValue = "0",
      description =
          "Share of BULK-priority requests, 0..1 (custom run). Default: ${DEFAULT-VALUE}.")
  double bulkFraction;

  @Option(
      names = "--input",
      description = "chat, prompt or json. Default: chat for apps named chat*, else json.")
  String input;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Per-request timeout (also the request deadline). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Option(
      names = "--deployments",
      split = ",",
      description = "Deployments whose replicas and lag to sample (custom run).")
  List<String> deployments = new ArrayList<>();

  @Option(
      names = "--rate-scale",
      defaultValue = "1.0",
      description = "Multiplies every scenario rate. Default: ${DEFAULT-VALUE}.")
  double rateScale;

  @Option(
      names = "--out",
      defaultValue = "target/load-report",
      description = "Report directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--embedded-echo",
      description =
          "Run against an in-JVM Kafka broker and an EchoReplier that answers every"
              + " request at once, NOT Sluice: measures the harness and a bare Kafka round trip.")
  boolean embeddedEcho;

  @Option(names = "--no-progress", description = "No progress line on the console.")
  boolean noProgress;

  @Option(
      names = "--batch-job-lines",
      defaultValue = "10000",
      description =
          "--entry batch: the most lines in one job; batch-vs-interactive: the size of its job."
              + " Default: ${DEFAULT-VALUE}.")
  int batchJobLines;

  @Option(
      names = "--batch-linger",
      defaultValue = "500ms",
      converter = DurationConverter.class,
      description =
          "--entry batch: how long the first job waits for lines. Default: ${DEFAULT-VALUE}.")
  Duration batchLinger;

  @Option(
      names = "--batch-window",
      defaultValue = "256",
      description =
          "--entry batch and the batch-vs-interactive job: lines in flight at most."
              + " Default: ${DEFAULT-VALUE}.")
  int batchWindow;

  PrintStream stdout = System.out;
  PrintStream stderr = System.err;

  @Override
  public Integer call() throws Exception {
    List<Scenario> runs = plan();
    String e = entry.toLowerCase(Locale.ROOT);
    if (!List.of("kafka", "http", "http-async", "batch").contains(e)) {
      throw new IllegalArgumentException(
          "--entry '" + entry + "' is not allowed: use kafka, http, http-async or batch");
    }
    if (embeddedEcho && !e.equals("kafka")) {
      throw new IllegalArgumentException("--embedded-echo works with --entry kafka only");
    }
    List<AutoCloseable> resources = new ArrayList<>();
    List<RunResult> results = new ArrayList<>();
    String kafka = bootstrapServers;
    String registry = registryUrl;
    List<String> notes = new ArrayList<>();
    try {
      if (embeddedEcho) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).build().start();
        resources.add(0, broker);
        kafka = broker.bootstrapServers();
        registry = "mock://sluice-loadtest-echo";
        Set<String> apps = new LinkedHashSet<>();
        runs.forEach(s -> apps.add(s.settings().app()));
        List<NewTopic> topics = new ArrayList<>();
        apps.forEach(a -> topics.add(new NewTopic(Topics.requests(a), 3, (short) 1)));
        broker.createTopics(topics);
        for (String a : apps) {
          resources.add(0, new EchoReplier(kafka, registry, a, "sluice-loadtest-echo-" + a));
        }
        notes.add(
            "Embedded echo: an in-JVM broker and an EchoReplier that answers at once. This"
                + " measures the generator and a bare Kafka round trip, not Sluice.");
      }
      for (Scenario sc : runs) {
        if (sc.name().equals(BatchVsInteractive.NAME)) {
          results.addAll(batchVsInteractive(kafka, registry, notes));
        } else {
          results.add(runOne(sc, kafka, registry, notes));
        }
      }
    } finally {
      for (AutoCloseable r : resources) {
        r.close();
      }
    }
    String now = Instant.now().toString();
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path json = JsonReport.write(out.resolve("results-" + stamp + ".json"), results, now);
    Path html = HtmlReport.write(out.resolve("report-" + stamp + ".html"), results, now);
    Files.copy(json, out.resolve("results.json"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(html, out.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);
    stdout.println(table(results));
    stdout.println("Results: " + json.toAbsolutePath());
    stdout.println("Report:  " + html.toAbsolutePath());
    return results.stream().allMatch(r -> r.summary().ok() > 0) ? 0 : 2;
  }

  /** The scenarios to run, or one custom run from the flags. */
  List<Scenario> plan() {
    if (!scenarios.isEmpty()) {
      List<Scenario> list = new ArrayList<>();
      for (String n : scenarios) {
        if (n.equalsIgnoreCase(BatchVsInteractive.NAME)) {
          // A placeholder: batchVsInteractive() makes its runs (their length is the job's).
          Scenario alone =
              BatchVsInteractive.interactive(
                  bviSubject(), "alone", rateScale, Duration.ofSeconds(40), Duration.ofSeconds(5));
          list.add(
              new Scenario(
                  BatchVsInteractive.NAME,
                  alone.description(),
                  alone.settings(),
                  alone.deployments()));
        } else if (n.equalsIgnoreCase("standard")) {
          list.addAll(Scenarios.standard(rateScale));
        } else {
          list.add(Scenarios.byName(n, rateScale));
        }
      }
      return list.stream().map(this::withTimeout).toList();
    }
    GeneratorSettings s =
        GeneratorSettings.steady(app, rate, duration, warmup)
            .withPayloadBytes(payloadBytes)
            .withKeys(keys)
            .withConcurrencyLimit(concurrency)
            .withBulkFraction(bulkFraction)
            .withInputKind(inputKind());
    return List.of(
        withTimeout(
            new Scenario("custom", "A custom run from command-line flags.", s, deployments)));
  }

  private InputKind inputKind() {
    return input == null
        ? InputKind.defaultFor(app)
        : InputKind.valueOf(input.toUpperCase(Locale.ROOT));
  }

  /**
   * What batch-vs-interactive calls: {@code --app} (default {@code sentiment}) with {@code --input}
   * and the deployments named by {@code --deployments} (default: the deployment named like the
   * app).
   */
  BatchVsInteractive.Subject bviSubject() {
    return new BatchVsInteractive.Subject(
        app, inputKind(), deployments.isEmpty() ? List.of(app) : deployments);
  }

  private Scenario withTimeout(Scenario sc) {
    return new Scenario(
        sc.name(),
        sc.description(),
        sc.settings()
            .withConcurrencyLimit(concurrency)
            .withTimeouts(timeout, timeout.plusSeconds(1)),
        sc.deployments());
  }

  /**
   * The batch-vs-interactive scenario: one batch job of --batch-job-lines BULK lines to the app
   * alone, the interactive load alone, then the interactive load beside a second such job (always
   * over Kafka: the comparison is about the router and the workers, not the entry path). Issue 16's
   * goals: interactive p99 beside the job within 1.2x of alone, the job's rate beside the
   * interactive load at least 0.8 of its rate alone.
   */
  private List<RunResult> batchVsInteractive(String kafka, String registry, List<String> notes) {
    BatchVsInteractive.Subject subject = bviSubject();
    String saved = entry;
    entry = "kafka";
    try {
      // A warm-up job, not counted: sentiment scales to zero, and a job that paid for the
      // replicas' start would make the job-alone rate look worse than it is.
      BatchVsInteractive.JobRun warm =
          runJob(subject, kafka, registry, Math.min(batchJobLines, 2000), null, notes);
      stderr.printf(
          Locale.ROOT,
          "batch-vs-interactive:warm-up: %d lines in %.1f s (not counted)%n",
          warm.answered(),
          warm.seconds());
      // The job alone: what the deployment serves a job with no interactive load.
      BatchVsInteractive.JobRun jobAlone =
          runJob(subject, kafka, registry, batchJobLines, null, notes);
      stderr.printf(
          Locale.ROOT,
          "batch-vs-interactive:job-alone: %d of %d lines in %.1f s (%.1f lines/s)%n",
          jobAlone.answered(),
          batchJobLines,
          jobAlone.seconds(),
          jobAlone.rate());
      // Both interactive runs last as long as the job took alone; the one beside the job starts
      // with it and has no warm-up, so what it measures is the time the job runs.
      Duration window = BatchVsInteractive.window(jobAlone);
      RunResult alone =
          runOne(
              withTimeout(
                  BatchVsInteractive.interactive(
                      subject, "alone", rateScale, window, Duration.ofSeconds(5))),
              kafka,
              registry,
              notes);
      RunResult[] with = new RunResult[1];
      BatchVsInteractive.JobRun jobWith =
          runJob(
              subject,
              kafka,
              registry,
              batchJobLines,
              () ->
                  with[0] =
                      runOne(
                          withTimeout(
                              BatchVsInteractive.interactive(
                                  subject, "with-job", rateScale, window, Duration.ZERO)),
                          kafka,
                          registry,
                          notes),
              notes);
      String note = BatchVsInteractive.compare(alone, with[0], batchJobLines, jobAlone, jobWith);
      stderr.println(note);
      return List.of(alone, with[0].withNote(note));
    } finally {
      entry = saved;
    }
  }

  /**
   * Sends one job of {@code jobLines} BULK lines and, if {@code beside} is given, runs it while the
   * job is under way; returns the lines answered and the time to the last answer (or to the end of
   * {@code beside}'s run, whichever is first, when the job is still going then).
   */
  private BatchVsInteractive.JobRun runJob(
      BatchVsInteractive.Subject subject,
      String kafka,
      String registry,
      int jobLines,
      Runnable beside,
      List<String> notes) {
    try (BatchJobTarget job =
        new BatchJobTarget(
            kafka,
            registry,
            subject.app(),
            timeout.multipliedBy(20),
            batchWindow,
            jobLines,
            Duration.ZERO)) {
      long t0 = System.nanoTime();
      java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(t0);
      List<java.util.concurrent.CompletableFuture<?>> lines = new ArrayList<>();
      for (var r : BatchVsInteractive.jobLines(subject, jobLines, 256, t0)) {
        lines.add(
            job.send(r)
                .whenComplete((ok, e) -> last.accumulateAndGet(System.nanoTime(), Math::max)));
      }
      long end;
      if (beside != null) {
        beside.run();
        end = System.nanoTime();
      } else {
        try {
          java.util.concurrent.CompletableFuture.allOf(
                  lines.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
              .get(timeout.multipliedBy(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          notes.add("batch-vs-interactive: the job alone did not finish: " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        end = System.nanoTime();
      }
      long answered =
          lines.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
      lines.stream()
          .filter(java.util.concurrent.CompletableFuture::isCompletedExceptionally)
          .findFirst()
          .ifPresent(
              f ->
                  stderr.println(
                      "batch-vs-interactive: a job line failed: "
                          + f.handle((ok, e) -> String.valueOf(e)).join()));
      boolean finished = lines.stream().allMatch(java.util.concurrent.CompletableFuture::isDone);
      long stop = finished ? Math.min(last.get(), end) : end;
      return new BatchVsInteractive.JobRun(answered, (stop - t0) / 1e9, finished);
    }
  }

  private RunResult runOne(Scenario sc, String kafka, String registry, List<String> baseNotes) {
    List<String> notes = new ArrayList<>(baseNotes);
    ConsumerGroupGauges gauges =
        embeddedEcho || sc.deployments().isEmpty()
            ? null
            : new ConsumerGroupGauges(kafka, sc.deployments());
    ProgressBar bar = new ProgressBar(stderr, sc.name(), !noProgress && interactive());
    try (Target target = target(sc.settings().app(), kafka, registry)) {
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("entry", entry);
      RunResult r =
          ScenarioRunner.run(
              sc,
              target,
              gauges == null ? Gauges.NONE : gauges,
              noProgress ? io.sluice.loadtest.generator.Progress.NONE : bar,
              extra,
              notes);
      bar.done();
      if (gauges == null || gauges.lastError() == null) {
        return r;
      }
      return r.withNote("Replica/lag sampling failed at the end: " + gauges.lastError());
    } finally {
      if (gauges != null) {
        gauges.close();
      }
    }
  }

  /**
   * True when a person watches the terminal. From JDK 22 {@code System.console()} is never null, so
   * ask the console itself where it can tell ({@code Console.isTerminal()}, JDK 22+).
   */
  @SuppressWarnings("SystemConsoleNull") // the null test is for JDK < 22; isTerminal() for 22+
  static boolean interactive() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }

  private Target target(String app, String kafka, String registry) {
    return switch (entry.toLowerCase(Locale.ROOT)) {
      case "kafka" -> KafkaTarget.start(kafka, registry, app, timeout);
      case "http" -> new HttpTarget(bridgeUrl, app, apiKey, timeout, false, null);
      case "http-async" -> new HttpTarget(bridgeUrl, app, apiKey, timeout, true, null);
      case "batch" ->
          new BatchJobTarget(
              kafka, registry, app, timeout, batchWindow, batchJobLines, batchLinger);
      default ->
          throw new IllegalArgumentException(
              "--entry '" + entry + "' is not allowed: use kafka, http, http-async or batch");
    };
  }

  static String table(List<RunResult> results) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-14s %9s %9s %9s %7s %7s %9s %9s %9s %8s%n",
                "scenario",
                "intended/s",
                "sent/s",
                "ok/s",
                "errors",
                "unsent",
                "p50 ms",
                "p99 ms",
                "max ms",
                "backlog"));
    for (RunResult r : results) {
      Summary s = r.summary();
      sb.append(
          String.format(
              Locale.ROOT,
              "%-14s %9.1f %9.1f %9.1f %7d %7d %9.2f %9.2f %9.2f %8d%n",
              r.scenario(),
              s.intendedRate(),
              s.sendRate(),
              s.throughput(),
              s.errors(),
              s.unsent(),
              s.latency().p50(),
              s.latency().p99(),
              s.latency().max(),
              s.maxBacklog()));
    }
    return sb.toString();
  }
}
