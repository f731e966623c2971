package io.sluice.functions.internal.examples;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;

/**
 * ServiceLoader providers of the example functions, one per name. The product's own LLM function
 * has its provider in {@code io.sluice.functions.internal.llm}.
 */
public final class ExampleProviders {
  private ExampleProviders() {}

  /** {@code preprocess}: normalise, tokenise, count. */
  public static final class Preprocess implements FunctionProvider {
    @Override
    public String name() {
      return "preprocess";
    }

    @Override
    public SluiceFunction create() {
      return new PreprocessFunction();
    }
  }

  /** {@code sentiment}: lexicon-based sentiment. */
  public static final class Sentiment implements FunctionProvider {
    @Override
    public String name() {
      return "sentiment";
    }

    @Override
    public SluiceFunction create() {
      return new SentimentFunction();
    }
  }

  /** {@code summarize}: extractive summary. */
  public static final class Summarize implements FunctionProvider {
    @Override
    public String name() {
      return "summarize";
    }

    @Override
    public SluiceFunction create() {
      return new SummarizeFunction();
    }
  }
}
