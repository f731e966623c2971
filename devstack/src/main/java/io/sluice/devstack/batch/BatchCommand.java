package io.sluice.devstack.batch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice batch}: run a batch file straight on Kafka, or drive the bridge's Batch API. */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = {
      "Batch jobs in OpenAI's / vLLM run-batch's JSONL format (custom_id, method, url, body).",
      "run: straight on Kafka, resumable. submit|status|cancel|download: the bridge's"
          + " /v1/files and /v1/batches API."
    },
    subcommands = {
      BatchRunCommand.class,
      BatchApiCommands.Submit.class,
      BatchApiCommands.Status.class,
      BatchApiCommands.Cancel.class,
      BatchApiCommands.Download.class
    })
public final class BatchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
