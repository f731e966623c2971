package io.sluice.functions.internal.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's deterministic output: the prompt's whitespace-separated words, repeated
 * cyclically to the requested length (llm-d's "echo" mode, always exactly {@code maxTokens} tokens
 * so the cost model is exact). Tokens are whitespace-separated words, for prompts and output alike.
 */
public final class EchoText {
  private EchoText() {}

  /** The prompt's tokens (words); at least one. */
  public static List<String> tokens(String prompt) {
    List<String> out = new ArrayList<>();
    for (String w : prompt.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    if (out.isEmpty()) {
      out.add("sluice");
    }
    return out;
  }

  /** The output tokens for a prompt: each is prefixed with a space except the first. */
  public static List<String> outputTokens(String prompt, int maxTokens) {
    List<String> words = tokens(prompt);
    List<String> out = new ArrayList<>(maxTokens);
    for (int i = 0; i < maxTokens; i++) {
      out.add((i == 0 ? "" : " ") + words.get(i % words.size()));
    }
    return out;
  }

  /** The whole output text for a prompt. */
  public static String output(String prompt, int maxTokens) {
    return String.join("", outputTokens(prompt, maxTokens));
  }
}
