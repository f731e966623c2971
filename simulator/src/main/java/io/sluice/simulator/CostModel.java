package io.sluice.simulator;

/**
 * The vLLM simulator's explicit latency model (documented in {@code functions/README.md}).
 *
 * <ol>
 *   <li><b>API front end</b>, serial (vLLM's OpenAI server tokenises and schedules on one thread):
 *       each HTTP call holds it for {@code callOverheadMs + k * perPromptOverheadMs}, k = prompts
 *       in the call. This is what micro-batching amortises.
 *   <li><b>Engine</b>: at most {@code maxNumSeqs} sequences run at once; the rest wait FIFO. A
 *       sequence admitted when {@code n} sequences run (itself included) is slowed by {@code f(n) =
 *       1 + (slowdown - 1) * (n - 1) / (maxNumSeqs - 1)} (llm-d's time-factor-under-load): its
 *       first token comes {@code ttftMs * f(n)} after admission and each further token {@code
 *       tpotMs * f(n)} later.
 * </ol>
 *
 * <p>So the best sustained throughput, in sequences per second, for calls of k prompts of N output
 * tokens is {@code min(k / (callOverheadMs + k * perPromptOverheadMs), maxNumSeqs / (slowdown *
 * (ttftMs + (N - 1) * tpotMs))) * 1000}.
 */
public record CostModel(
    double ttftMs,
    double tpotMs,
    int maxNumSeqs,
    double slowdown,
    double callOverheadMs,
    double perPromptOverheadMs) {

  public CostModel {
    if (ttftMs < 0 || tpotMs < 0 || callOverheadMs < 0 || perPromptOverheadMs < 0) {
      throw new IllegalArgumentException("times must not be negative");
    }
    if (maxNumSeqs < 1) {
      throw new IllegalArgumentException("maxNumSeqs must be at least 1");
    }
    if (slowdown < 1) {
      throw new IllegalArgumentException("slowdown must be at least 1");
    }
  }

  /** Defaults: vLLM's 256 sequences, fast enough per token for quick local runs. */
  public static CostModel defaults() {
    return new CostModel(20, 5, 256, 2.0, 8, 0.25);
  }

  /** The slowdown factor for a sequence admitted with {@code running} sequences (itself incl.). */
  public double factor(int running) {
    if (maxNumSeqs == 1) {
      return 1.0;
    }
    int n = Math.max(1, Math.min(running, maxNumSeqs));
    return 1.0 + (slowdown - 1.0) * (n - 1) / (maxNumSeqs - 1);
  }

  /** Milliseconds the front end is busy with a call of {@code prompts} prompts. */
  public double frontEndMs(int prompts) {
    return callOverheadMs + prompts * perPromptOverheadMs;
  }

  /** Milliseconds from admission to the last of {@code outputTokens} tokens. */
  public double sequenceMs(int running, int outputTokens) {
    return factor(running) * (ttftMs + Math.max(0, outputTokens - 1) * tpotMs);
  }

  /** The theoretical throughput limit, in sequences per second (see the class comment). */
  public double maxSequencesPerSecond(int promptsPerCall, int outputTokens) {
    double frontEnd = promptsPerCall * 1000.0 / frontEndMs(promptsPerCall);
    double engine = maxNumSeqs * 1000.0 / sequenceMs(maxNumSeqs, outputTokens);
    return Math.min(frontEnd, engine);
  }
}
