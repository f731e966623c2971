package io.sluice.loadtest.simulator;

import io.sluice.loadtest.bench.BenchResults;
import io.sluice.simulator.CostModel;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the vLLM simulator's throughput with micro-batches of 1, 8 and 32 prompts per {@code
 * /v1/completions} call and compares it with the cost model's theoretical limit (see {@link
 * CostModel#maxSequencesPerSecond}). Closed loop: enough concurrent callers to keep 1.25 x
 * max-num-seqs sequences outstanding, so whichever stage bounds the model is saturated.
 *
 * <p>Run command and measured figures: {@code functions/README.md}. Args: [measureSeconds]
 * [outputTokens].
 */
public final class SimulatorBatchingBenchmark {
  private SimulatorBatchingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int measureSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int outputTokens = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    CostModel model = CostModel.defaults();
    System.out.printf(
        Locale.ROOT,
        "cost model: %s, output tokens %d, %d cores, measure %d s%n",
        model,
        outputTokens,
        Runtime.getRuntime().availableProcessors(),
        measureSeconds);
    System.out.printf(
        Locale.ROOT, "%-6s %-8s %14s %14s %7s%n", "batch", "callers", "seq/s", "limit", "ratio");
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    BenchResults bench =
        new BenchResults(
            "simulator",
            String.format(
                Locale.ROOT,
                "cost model %s, %d output tokens, %d s per batch size, %d rounds",
                model,
                outputTokens,
                measureSeconds,
                rounds));
    int[] sizes = {1, 8, 32};
    for (int size : new int[] {8, 32}) {
      bench.goal(
          "simulator-batch-" + size,
          "vLLM simulator, batches of " + size + " prompts vs 1 (speed-up, no goal)",
          "batches of 1 prompt",
          "ratio",
          ">=",
          0,
          "none",
          "seq/s");
    }
    for (int r = 0; r < rounds; r++) {
      double[] measured = new double[3];
      for (int i = 0; i < sizes.length; i++) {
        measured[i] = run(model, sizes[i], outputTokens, measureSeconds);
      }
      System.out.printf(
          Locale.ROOT,
          "speed-up of batching: x%.1f (8 vs 1), x%.1f (32 vs 1)%n",
          measured[1] / measured[0],
          measured[2] / measured[0]);
      bench.round("simulator-batch-8", measured[1] / measured[0], measured[0], measured[1]);
      bench.round("simulator-batch-32", measured[2] / measured[0], measured[0], measured[2]);
    }
    bench.finish();
  }

  private static double run(CostModel model, int batch, int outputTokens, int seconds)
      throws Exception {
    try (SimulatorServer sim = SimulatorServer.start(SimulatorConfig.defaults(0).withCost(model))) {
      int callers = (int) Math.ceil(1.25 * model.maxNumSeqs() / batch);
      StringBuilder prompts = new StringBuilder("[");
      for (int i = 0; i < batch; i++) {
        prompts
            .append(i == 0 ? "" : ",")
            .append("\"benchmark prompt number ")
            .append(i)
            .append('"');
      }
      String body =
          "{\"model\":\"sluice-sim\",\"max_tokens\":"
              + outputTokens
              + ",\"prompt\":"
              + prompts
              + "]}";
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/completions"))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      AtomicBoolean counting = new AtomicBoolean();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong sequences = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      for (int c = 0; c < callers; c++) {
        loop(http, request, batch, running, counting, sequences, failures);
      }
      Thread.sleep(2000); // warm-up: fill the engine to its steady state
      counting.set(true);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long done = sequences.get();
      double elapsed = (System.nanoTime() - t0) / 1e9;
      running.set(false);
      double rate = done / elapsed;
      double limit = model.maxSequencesPerSecond(batch, outputTokens);
      System.out.printf(
          Locale.ROOT,
          "%-6d %-8d %14.1f %14.1f %7.2f%s%n",
          batch,
          callers,
          rate,
          limit,
          rate / limit,
          failures.get() > 0 ? "  (" + failures.get() + " failed calls)" : "");
      return rate;
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // false positive: whenComplete counts every failure
  private static void loop(
      HttpClient http,
      HttpRequest request,
      int batch,
      AtomicBoolean running,
      AtomicBoolean counting,
      AtomicLong sequences,
      AtomicLong failures) {
    if (!running.get()) {
      return;
    }
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (resp, err) -> {
              if (err != null || resp.statusCode() != 200) {
                failures.incrementAndGet();
              } else if (counting.get()) {
                sequences.addAndGet(batch);
              }
              loop(http, request, batch, running, counting, sequences, failures);
            });
  }
}
