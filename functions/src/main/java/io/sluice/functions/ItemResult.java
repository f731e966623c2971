package io.sluice.functions;

import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.Usage;
import java.util.Objects;

/**
 * The outcome of one request of a {@link Batch}: a typed output, or a failure.
 *
 * <pre>{@code
 * ItemResult.json("{\"label\":\"positive\"}");
 * ItemResult.completion("Paris.", "stop", usage);
 * ItemResult.failure(FunctionException.invalidInput("no text"));
 * }</pre>
 */
public sealed interface ItemResult {

  /**
   * A successful item.
   *
   * @param output a {@link ChatOutput}, {@link CompletionOutput} or {@link JsonOutput}
   * @param usage token counts, or null for non-LLM functions
   */
  record Success(Object output, Usage usage) implements ItemResult {
    public Success {
      Objects.requireNonNull(output, "output");
      if (!(output instanceof ChatOutput
          || output instanceof CompletionOutput
          || output instanceof JsonOutput)) {
        throw new IllegalArgumentException(
            "output must be ChatOutput, CompletionOutput or JsonOutput, not "
                + output.getClass().getName());
      }
    }
  }

  /** A failed item; the runtime classifies {@code error} (see {@link FunctionException}). */
  record Failure(Throwable error) implements ItemResult {
    public Failure {
      Objects.requireNonNull(error, "error");
    }
  }

  /** A JSON document as output. */
  static ItemResult json(String json) {
    return new Success(JsonOutput.newBuilder().setJson(json).build(), null);
  }

  /** A text completion. */
  static ItemResult completion(String text, String finishReason, Usage usage) {
    return new Success(
        CompletionOutput.newBuilder().setText(text).setFinishReason(finishReason).build(), usage);
  }

  /** An assistant chat message. */
  static ItemResult chat(String content, String finishReason, Usage usage) {
    ChatMessage message =
        ChatMessage.newBuilder().setRole(ChatRole.ASSISTANT).setContent(content).build();
    return new Success(
        ChatOutput.newBuilder().setMessage(message).setFinishReason(finishReason).build(), usage);
  }

  /** A failed item. */
  static ItemResult failure(Throwable error) {
    return new Failure(error);
  }

  /** Token counts. */
  static Usage usage(int promptTokens, int completionTokens) {
    return Usage.newBuilder()
        .setPromptTokens(promptTokens)
        .setCompletionTokens(completionTokens)
        .setTotalTokens(promptTokens + completionTokens)
        .build();
  }
}
