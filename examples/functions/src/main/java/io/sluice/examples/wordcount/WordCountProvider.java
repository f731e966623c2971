package io.sluice.examples.wordcount;

import io.sluice.functions.FunctionProvider;
import io.sluice.functions.SluiceFunction;

/**
 * Makes {@link WordCount} selectable as {@code function: word-count}. Listed in {@code
 * META-INF/services/io.sluice.functions.FunctionProvider}, which is how a worker finds it in the
 * jar given to {@code --functions}.
 */
public final class WordCountProvider implements FunctionProvider {
  @Override
  public String name() {
    return "word-count";
  }

  @Override
  public SluiceFunction create() {
    return new WordCount();
  }
}
