package io.sluice.simulator;

import io.sluice.common.ops.GracefulShutdown;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice simulator}: runs the vLLM simulator until SIGTERM. */
@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    description = "Run the OpenAI-compatible vLLM simulator (cost model: functions/README.md).")
public final class SimulatorCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Bind address.")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "HTTP port.")
  int port;

  @Option(names = "--model", defaultValue = "sluice-sim", description = "Model name served.")
  String model;

  @Option(names = "--ttft-ms", defaultValue = "20", description = "Time to first token (ms).")
  double ttftMs;

  @Option(names = "--tpot-ms", defaultValue = "5", description = "Time per output token (ms).")
  double tpotMs;

  @Option(names = "--max-num-seqs", defaultValue = "256", description = "Concurrent sequences.")
  int maxNumSeqs;

  @Option(
      names = "--slowdown",
      defaultValue = "2.0",
      description = "Latency factor when max-num-seqs sequences run (1 = none).")
  double slowdown;

  @Option(
      names = "--call-overhead-ms",
      defaultValue = "8",
      description = "Serial front-end time per HTTP call (ms).")
  double callOverheadMs;

  @Option(
      names = "--per-prompt-overhead-ms",
      defaultValue = "0.25",
      description = "Serial front-end time per prompt (ms).")
  double perPromptOverheadMs;

  @Option(
      names = "--default-max-tokens",
      defaultValue = "16",
      description = "Output tokens when max_tokens is unset.")
  int defaultMaxTokens;

  @Option(
      names = "--max-waiting",
      defaultValue = "4096",
      description = "Waiting sequences before calls are refused with 429.")
  int maxWaiting;

  /** The configuration the options describe. */
  public SimulatorConfig config() {
    return new SimulatorConfig(
        host,
        port,
        model,
        new CostModel(ttftMs, tpotMs, maxNumSeqs, slowdown, callOverheadMs, perPromptOverheadMs),
        defaultMaxTokens,
        maxWaiting);
  }

  @Override
  public Integer call() throws Exception {
    GracefulShutdown shutdown = GracefulShutdown.installed("simulator");
    shutdown.register("simulator", SimulatorServer.start(config()));
    shutdown.await();
    return 0;
  }
}
