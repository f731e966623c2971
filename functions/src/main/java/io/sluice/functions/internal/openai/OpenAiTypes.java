package io.sluice.functions.internal.openai;

import java.util.List;

/** Value types of the OpenAI-compatible API as the client uses them. */
public final class OpenAiTypes {
  private OpenAiTypes() {}

  /** Sampling parameters; null fields are left to the backend's defaults. */
  public record Sampling(
      Integer maxTokens, Double temperature, Double topP, List<String> stop, Long seed) {
    public static final Sampling DEFAULT = new Sampling(null, null, null, List.of(), null);

    public Sampling {
      stop = stop == null ? List.of() : List.copyOf(stop);
    }
  }

  /** One chat message; role is lower-case as on the wire (system, user, assistant...). */
  public record Message(String role, String content, String name) {}

  /** Token accounting as the backend reported it. */
  public record TokenUsage(int promptTokens, int completionTokens) {
    public int totalTokens() {
      return promptTokens + completionTokens;
    }
  }

  /** One generated text of a completions call. */
  public record Choice(String text, String finishReason) {}

  /**
   * The answer to one {@code /v1/completions} call: one choice per prompt, in prompt order, and the
   * usage of the whole call.
   */
  public record CompletionsResult(List<Choice> choices, TokenUsage usage) {}

  /** The answer to one chat call (streamed or not). */
  public record ChatResult(String content, String finishReason, TokenUsage usage) {}
}
