package io.sluice.functions.internal.llm;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;

/**
 * ServiceLoader provider of {@code embeddings}: text embeddings on vLLM's {@code /v1/embeddings}
 * (or the simulator), for the bridge's {@code POST /v1/embeddings}. Deployments select it with
 * {@code function: embeddings}; keep the name.
 */
public final class EmbeddingsProvider implements FunctionProvider {
  @Override
  public String name() {
    return "embeddings";
  }

  @Override
  public SluiceFunction create() {
    return new EmbeddingsFunction();
  }
}
