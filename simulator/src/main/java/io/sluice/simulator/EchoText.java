package io.sluice.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The simulator's deterministic output: the prompt's whitespace-separated words, repeated
 * cyclically to the requested length (llm-d's "echo" mode, always exactly {@code maxTokens} tokens
 * so the cost model is exact). Tokens are whitespace-separated words, for prompts and output alike.
 */
final class EchoText {
  // Split with limit -1 (keep empty strings, skipped below), not String.split's silent drop.
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private EchoText() {}

  /** The prompt's tokens (words); at least one. */
  static List<String> tokens(String prompt) {
    List<String> out = new ArrayList<>();
    for (String w : WHITESPACE.split(prompt.trim(), -1)) {
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
  static List<String> outputTokens(String prompt, int maxTokens) {
    return outputTokens(prompt, maxTokens, 0);
  }

  /**
   * The output tokens of sample {@code sample} (0 to n - 1) for a prompt: sample j starts at the
   * prompt's word j (cyclically), so the n choices of one prompt are told apart.
   */
  static List<String> outputTokens(String prompt, int maxTokens, int sample) {
    List<String> words = tokens(prompt);
    List<String> out = new ArrayList<>(maxTokens);
    for (int i = 0; i < maxTokens; i++) {
      out.add((i == 0 ? "" : " ") + words.get((i + sample) % words.size()));
    }
    return out;
  }

  /** The whole output text for a prompt. */
  static String output(String prompt, int maxTokens) {
    return String.join("", outputTokens(prompt, maxTokens));
  }
}
