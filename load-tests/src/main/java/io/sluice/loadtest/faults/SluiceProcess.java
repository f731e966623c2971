package io.sluice.loadtest.faults;

import io.sluice.bridge.BridgeCommand;
import io.sluice.functions.worker.WorkerCommand;
import io.sluice.router.cli.RouterCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The main class of the fault suite's child JVMs: {@code router}, {@code worker} and {@code bridge}
 * run the very commands {@code sluice router|worker|bridge} run (the {@code sluice} jar's entry
 * point lives in devstack, which load-tests does not depend on).
 */
@Command(
    name = "sluice",
    subcommands = {RouterCommand.class, WorkerCommand.class, BridgeCommand.class})
public final class SluiceProcess {
  private SluiceProcess() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SluiceProcess()).execute(args));
  }
}
