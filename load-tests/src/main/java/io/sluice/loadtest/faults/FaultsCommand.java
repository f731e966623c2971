package io.sluice.loadtest.faults;

import io.sluice.loadtest.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code load-tests/faults.sh}: the fault suite; see load-tests/README.md. */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    description =
        "Kill -9 router, worker and bridge replicas (separate JVMs) under a tracked open-loop"
            + " load; print sent, accepted, answered once, duplicates, lost, error replies and"
            + " the time until latency is normal again after each kill.")
public final class FaultsCommand implements Callable<Integer> {
  @Option(names = "--rate", defaultValue = "30", description = "Requests/s in all.")
  double rate;

  @Option(
      names = "--http-fraction",
      defaultValue = "0.5",
      description = "Share sent through the bridges.")
  double httpFraction;

  @Option(names = "--routers", defaultValue = "2")
  int routers;

  @Option(names = "--chat-workers", defaultValue = "2")
  int chatWorkers;

  @Option(names = "--sentiment-workers", defaultValue = "1")
  int sentimentWorkers;

  @Option(names = "--bridges", defaultValue = "2")
  int bridges;

  @Option(
      names = "--kills",
      defaultValue = "worker,router,bridge",
      split = ",",
      description = "Kinds to kill, in order (worker, router, bridge).")
  List<String> kills;

  @Option(
      names = "--warmup",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Load before the first baseline.")
  Duration warmup;

  @Option(
      names = "--before-kill",
      defaultValue = "12s",
      converter = DurationConverter.class,
      description = "Load before each kill (its baseline).")
  Duration beforeKill;

  @Option(
      names = "--restart-after",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description = "From a kill to the restart.")
  Duration restartAfter;

  @Option(
      names = "--observe",
      defaultValue = "25s",
      converter = DurationConverter.class,
      description = "From a kill to the next step.")
  Duration observe;

  @Option(
      names = "--drain",
      defaultValue = "45s",
      converter = DurationConverter.class,
      description = "Longest wait for outstanding replies at the end.")
  Duration drain;

  @Option(
      names = "--work-dir",
      defaultValue = "load-tests/target/faults",
      description = "Broker data, router state, process logs and faults.json.")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    FaultSuite.Settings s =
        new FaultSuite.Settings(
            rate,
            httpFraction,
            routers,
            chatWorkers,
            sentimentWorkers,
            bridges,
            kills.stream().map(k -> Child.Kind.valueOf(k.trim().toUpperCase(Locale.ROOT))).toList(),
            warmup,
            beforeKill,
            restartAfter,
            observe,
            drain);
    Path run = workDir.resolve("run-" + System.currentTimeMillis());
    FaultRun r = new FaultSuite(s, run, System.out).run();
    System.out.print(FaultReport.text(r));
    System.out.println("faults: results in " + FaultReport.write(run.resolve("faults.json"), r));
    return r.total().lost() == 0 ? 0 : 1;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new FaultsCommand()).execute(args));
  }
}
