package io.sluice.functions.internal.llm;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;

/**
 * ServiceLoader provider of {@code llm}: chat and completions on vLLM's OpenAI-compatible API (or
 * the simulator). The name is what deployments select with {@code sluice.worker.function}; keep it.
 */
public final class LlmProvider implements FunctionProvider {
  @Override
  public String name() {
    return "llm";
  }

  @Override
  public SluiceFunction create() {
    return new LlmFunction();
  }
}
