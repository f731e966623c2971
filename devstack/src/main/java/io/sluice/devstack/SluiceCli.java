package io.sluice.devstack;

import io.sluice.bridge.BridgeCommand;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
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

  /**
   * The command line with every subcommand registered. A Kafka login or TLS handshake that a
   * subcommand lets escape (as {@code sluice routes} does) is told as one line naming the keys to
   * fix, with {@link ConfigFlags#EXIT_BAD_CONFIG}, as {@code apply} and {@code status} tell it; any
   * other exception is reported by picocli as before (its stack trace, exit 1).
   */
  public static CommandLine commandLine() {
    return new CommandLine(new SluiceCli())
        .setExecutionExceptionHandler(SluiceCli::explainLoginFailure);
  }

  static int explainLoginFailure(Exception e, CommandLine command, CommandLine.ParseResult parsed)
      throws Exception {
    RuntimeException explained = ConnectionKeys.explain(new IllegalStateException(e));
    if (!(explained instanceof ConfigException)) {
      throw e;
    }
    // One line: Kafka's own message is appended to the explanation and may span several.
    command.getErr().println(explained.getMessage().replaceAll("\\s*\\R\\s*", " "));
    command.getErr().flush();
    return ConfigFlags.EXIT_BAD_CONFIG;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
