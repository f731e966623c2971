package io.sluice.functions.worker;

import picocli.CommandLine;

/** {@code sluice worker} in a JVM of its own, as the {@code sluice} launcher runs it. */
public final class WorkerCommandMain {
  private WorkerCommandMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkerCommand()).execute(args));
  }
}
