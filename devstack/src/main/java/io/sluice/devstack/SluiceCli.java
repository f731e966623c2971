package io.sluice.devstack;

import io.sluice.bridge.BridgeCommand;
import io.sluice.devstack.batch.BatchCommand;
import io.sluice.functions.worker.WorkerCommand;
import io.sluice.manifest.cli.ApplyCommand;
import io.sluice.manifest.cli.StatusCommand;
import io.sluice.manifest.cli.ValidateCommand;
import io.sluice.router.cli.RouterCommand;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.simulator.SimulatorCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command line: one entry point for every Sluice process. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0-SNAPSHOT",
    description = "Serverless model serving on Kafka.",
    subcommands = {
      DevCommand.class,
      ApplyCommand.class,
      StatusCommand.class,
      ValidateCommand.class,
      RouterCommand.class,
      RoutesCommand.class,
      BridgeCommand.class,
      WorkerCommand.class,
      SimulatorCommand.class,
      BatchCommand.class
    })
public final class SluiceCli {
  private SluiceCli() {}

  /** The command line with every subcommand registered. */
  public static CommandLine commandLine() {
    return new CommandLine(new SluiceCli());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
