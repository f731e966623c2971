package io.sluice.functions.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** Value types of the OpenAI-compatible API as the client uses them. */
public final class OpenAiTypes {
  private OpenAiTypes() {}

  /**
   * Sampling parameters; null fields are left to the backend's defaults.
   *
   * @param n choices per prompt (null: 1)
   * @param extra further OpenAI parameters sent as they are: name → value as JSON text
   */
  public record Sampling(
      Integer maxTokens,
      Double temperature,
      Double topP,
      List<String> stop,
      Long seed,
      Integer n,
      Map<String, String> extra) {
    public static final Sampling DEFAULT = new Sampling(null, null, null, List.of(), null);

    public Sampling {
      stop = stop == null ? List.of() : List.copyOf(stop);
      extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public Sampling(
        Integer maxTokens, Double temperature, Double topP, List<String> stop, Long seed) {
      this(maxTokens, temperature, topP, stop, seed, null, Map.of());
    }

    /** Choices per prompt: {@code n}, 1 when unset. */
    public int choicesPerPrompt() {
      return n == null ? 1 : n;
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

  /**
   * One generated choice: a completion's text or a chat message's content.
   *
   * @param toolCalls a chat choice's {@code tool_calls}, JSON text, or null
   * @param logprobs the choice's {@code logprobs}, JSON text, or null
   */
  public record Choice(String text, String finishReason, String toolCalls, String logprobs) {
    public Choice(String text, String finishReason) {
      this(text, finishReason, null, null);
    }

    /** Whether the choice carries more than text (so it must travel as a choice). */
    public boolean hasExtras() {
      return toolCalls != null || logprobs != null;
    }
  }

  /**
   * The answer to one {@code /v1/completions} call: n choices per prompt, in OpenAI's order (prompt
   * i, sample j at i × n + j), and the usage of the whole call.
   */
  public record CompletionsResult(List<Choice> choices, TokenUsage usage) {}

  /**
   * The answer to one chat call (streamed or not): the first choice's content, and every choice
   * (index order) when there are several or one carries tool calls or logprobs, else empty.
   */
  public record ChatResult(
      String content, String finishReason, TokenUsage usage, List<Choice> choices) {
    public ChatResult {
      choices = List.copyOf(choices);
    }

    public ChatResult(String content, String finishReason, TokenUsage usage) {
      this(content, finishReason, usage, List.of());
    }
  }

  /**
   * The answer to one {@code /v1/embeddings} call: one vector per input, in input order, each a
   * JSON array of floats or a base64 string (as asked), and the call's usage.
   */
  public record EmbeddingsResult(List<JsonNode> embeddings, int promptTokens) {
    public EmbeddingsResult {
      embeddings = List.copyOf(embeddings);
    }
  }
}
