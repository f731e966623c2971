package io.sluice.devstack.batch;

import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice batch run -i in.jsonl -o out.jsonl [--resume]}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run a batch file straight on Kafka (no bridge), as vLLM's `run-batch -i in.jsonl -o"
          + " out.jsonl` does: each line becomes a BULK request to its app (the body's model, or"
          + " the app of /v1/apps/{app}/infer); each answer is appended to the output file as it"
          + " arrives (completion order, not input order). Ctrl-C stops sending, waits"
          + " --drain for lines in flight, and tells how to resume.",
      "",
      "Exit codes: 0 every line answered OK; 1 every line answered, some with an error (their"
          + " output lines carry it; vLLM's run-batch exits 0 here); 2 bad option or"
          + " configuration; 3 bad input (nothing sent) or an existing -o without --resume;"
          + " 4 not finished: stopped, or lines without a reply within --line-timeout (rerun with"
          + " --resume); 5 Kafka or the Schema Registry failed. Killed by Ctrl-C or SIGTERM, the"
          + " process exits 130 or 143 after writing what it has.",
      ""
    })
public final class BatchRunCommand implements java.util.concurrent.Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_LINES_FAILED = 1;
  static final int EXIT_BAD_INPUT = 3;
  static final int EXIT_NOT_FINISHED = 4;
  static final int EXIT_KAFKA = 5;

  @Spec CommandSpec spec;

  @Option(
      names = {"-i", "--input"},
      required = true,
      paramLabel = "FILE",
      description = "Batch input file (JSONL).")
  Path input;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description =
          "Output file (JSONL, one line per custom_id). Refused if it exists, unless"
              + " --resume.")
  Path output;

  @Option(
      names = "--resume",
      description =
          "Keep the lines already in -o (a cut-off last line is dropped), skip their custom_ids,"
              + " send the rest and append.")
  boolean resume;

  @Option(
      names = "--window",
      defaultValue = "256",
      description = "Lines in flight at most. Default: ${DEFAULT-VALUE}.")
  int window;

  @Option(
      names = "--line-timeout",
      defaultValue = "10m",
      converter = DurationText.class,
      description =
          "How long a line waits for its answer; also its request's deadline, so the router drops"
              + " it rather than serve it after nobody waits. A line without an answer is not"
              + " written (--resume sends it again). Default: ${DEFAULT-VALUE}.")
  Duration lineTimeout;

  @Option(
      names = "--drain",
      defaultValue = "5s",
      converter = DurationText.class,
      description =
          "After Ctrl-C, how long to wait for lines in flight. Default: ${DEFAULT-VALUE}.")
  Duration drain;

  @Option(
      names = "--reply-topic",
      defaultValue = BatchRunner.DEFAULT_REPLY_TOPIC,
      description =
          "Topic the answers come back on (created with "
              + BatchRunner.REPLY_PARTITIONS
              + " partitions and 1 day retention if missing; each run reads one partition)."
              + " Default: ${DEFAULT-VALUE}.")
  String replyTopic;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (the key " + ConnectionKeys.BOOTSTRAP_SERVERS + ").")
  String bootstrapServers;

  @Option(
      names = "--schema-registry",
      description = "Schema Registry URL (the key " + ConnectionKeys.SCHEMA_REGISTRY_URL + ").")
  String registryUrl;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Mixin ConfigFlags config = new ConfigFlags();

  /** Where the command's run is, for a shutdown hook or a test to stop it. */
  private volatile BatchRunner runner;

  @Override
  public Integer call() throws Exception {
    if (bootstrapServers != null) {
      config.set(ConnectionKeys.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (registryUrl != null) {
      config.set(ConnectionKeys.SCHEMA_REGISTRY_URL, registryUrl);
    }
    return config.run(ConnectionKeys.definition(), c -> c, this::run);
  }

  private int run(SluiceConfig c) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BatchRunner.Settings settings;
    try {
      settings = new BatchRunner.Settings(window, lineTimeout, drain, replyTopic);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return ConfigFlags.EXIT_BAD_CONFIG;
    }
    BatchInput in = new BatchInput(input);
    // Refuse an existing output before connecting anywhere.
    if (!resume && output.toFile().exists()) {
      err.println(
          "output file "
              + output
              + " exists: pass --resume to skip the custom_ids it already answers and append the"
              + " rest, or choose another -o");
      return EXIT_BAD_INPUT;
    }
    // Lines checked before connecting anywhere (the apps they call are checked once connected).
    try {
      in.check(app -> true);
    } catch (BatchInputException e) {
      err.println(e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (IOException e) {
      err.println("cannot read " + input + ": " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              BatchRunner r = runner;
              if (r != null) {
                r.stop();
                try {
                  // Let the run write what arrives during --drain and print its summary.
                  finished.await(drain.toSeconds() + 15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            "sluice-batch-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (BatchRunner r = open(c, settings)) {
      runner = r;
      return execute(r, in, out, err);
    } catch (BatchInputException e) {
      err.println(e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return ConfigFlags.EXIT_BAD_CONFIG;
    } catch (IOException e) {
      err.println(e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (Exception e) {
      RuntimeException explained =
          ConnectionKeys.explain(e instanceof RuntimeException re ? re : new RuntimeException(e));
      err.println(
          "Kafka or the Schema Registry failed ("
              + c.getString(ConnectionKeys.BOOTSTRAP_SERVERS)
              + ", "
              + c.getString(ConnectionKeys.SCHEMA_REGISTRY_URL)
              + "): "
              + rootMessage(explained));
      return EXIT_KAFKA;
    } finally {
      runner = null;
      out.flush();
      err.flush();
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (Ctrl-C): the hook is running and waits for `finished`
      }
    }
  }

  /** Opens the runner; a seam for tests. */
  BatchRunner open(SluiceConfig c, BatchRunner.Settings settings) {
    return new BatchRunner(c, settings);
  }

  private int execute(BatchRunner r, BatchInput in, PrintWriter out, PrintWriter err)
      throws Exception {
    Set<String> apps = r.knownApps();
    BatchInput.Summary summary = in.check(apps::contains);
    try (OutputLog log = resume ? OutputLog.openForResume(output) : OutputLog.create(output)) {
      Set<String> skip = new HashSet<>(log.answeredBefore().keySet());
      Set<String> foreign = new HashSet<>(skip);
      foreign.removeAll(summary.customIds());
      skip.retainAll(summary.customIds());
      if (log.truncatedBytes() > 0) {
        err.println(
            output
                + ": dropped a cut-off last line ("
                + log.truncatedBytes()
                + " bytes); sent again");
      }
      if (!foreign.isEmpty()) {
        err.println(
            output
                + ": "
                + foreign.size()
                + " custom_id(s) are not in "
                + input
                + " (kept; is it the output of another input?)");
      }
      long failedBefore = skip.stream().filter(log.answeredBefore()::get).count();
      long okBefore = skip.size() - failedBefore;
      if (resume) {
        err.println(
            "resuming: "
                + skip.size()
                + " of "
                + summary.lines()
                + " lines already answered, "
                + (summary.lines() - skip.size())
                + " to send");
      }
      PrintStream stderr = System.err;
      Progress progress =
          new Progress(
              stderr, interactive(), summary.lines(), okBefore, failedBefore, System.nanoTime());
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      BatchRunner.Result result;
      try {
        if (!noProgress) {
          @SuppressWarnings("FutureReturnValueIgnored") // cancelled by shutdownNow below
          var unused =
              ticker.scheduleAtFixedRate(
                  () -> progress.tick(System.nanoTime()), 200, 200, TimeUnit.MILLISECONDS);
        }
        result = r.run(in, skip, log, progress);
      } finally {
        ticker.shutdownNow();
      }
      if (!noProgress) {
        progress.finish(System.nanoTime());
      }
      return report(result, progress, summary, out, err);
    }
  }

  private int report(
      BatchRunner.Result result,
      Progress progress,
      BatchInput.Summary summary,
      PrintWriter out,
      PrintWriter err) {
    err.println(
        "sent "
            + result.sent()
            + ", answered "
            + (result.ok() + result.failed())
            + " ("
            + result.failed()
            + " with an error), no answer "
            + result.unanswered()
            + (result.duplicates() > 0 ? ", duplicate replies dropped " + result.duplicates() : "")
            + "; "
            + output
            + " holds "
            + progress.snapshot(System.nanoTime()).done()
            + " of "
            + summary.lines()
            + " lines");
    if (result.sendFailure() != null) {
      err.println("a send failed: " + rootMessage(result.sendFailure()));
    }
    if (result.outcome() != BatchRunner.Outcome.COMPLETE) {
      err.println(
          (result.outcome() == BatchRunner.Outcome.STOPPED ? "stopped" : "not finished")
              + ": to send the rest, run: sluice batch run -i "
              + input
              + " -o "
              + output
              + " --resume");
      return EXIT_NOT_FINISHED;
    }
    out.println(output);
    return progress.failed() > 0 ? EXIT_LINES_FAILED : EXIT_OK;
  }

  /** Stops a run in progress (as Ctrl-C does); for tests. */
  void stop() {
    BatchRunner r = runner;
    if (r != null) {
      r.stop();
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root + ")";
  }

  /**
   * True when a person watches the terminal. From JDK 22 {@code System.console()} is never null, so
   * ask the console itself where it can tell ({@code Console.isTerminal()}, JDK 22+).
   */
  @SuppressWarnings("SystemConsoleNull") // the null test is for JDK < 22; isTerminal() for 22+
  static boolean interactive() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }
}
