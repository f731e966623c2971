package io.sluice.loadtest.cli;

import picocli.CommandLine;

/** {@code java -cp ... io.sluice.loadtest.cli.LoadMain [options]}: see {@link LoadTestCommand}. */
public final class LoadMain {
  private LoadMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadTestCommand()).execute(args));
  }
}
