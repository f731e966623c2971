package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.Usage;

/**
 * OpenAI's reply objects: {@code chat.completion}, {@code text_completion} and their stream chunks,
 * with OpenAI's field names ({@code prompt_tokens}, {@code finish_reason}).
 */
final class OpenAiReplies {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OpenAiReplies() {}

  /** OpenAI {@code chat.completion}. */
  static ObjectNode chatCompletion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o = head("chatcmpl-" + r.getRequestId(), "chat.completion", model, createdSec);
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode m = choice.putObject("message");
    m.put("role", "assistant");
    m.put("content", ReplyText.text(r));
    choice.putNull("logprobs");
    choice.put("finish_reason", ReplyText.finishReason(r, "stop"));
    o.set("usage", usage(r.getUsage()));
    return o;
  }

  /** OpenAI {@code text_completion}. */
  static ObjectNode completion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o = head("cmpl-" + r.getRequestId(), "text_completion", model, createdSec);
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("text", ReplyText.text(r));
    choice.put("index", 0);
    choice.putNull("logprobs");
    choice.put("finish_reason", ReplyText.finishReason(r, "stop"));
    o.set("usage", usage(r.getUsage()));
    return o;
  }

  /**
   * One OpenAI stream chunk for a reply chunk: {@code chat.completion.chunk} with a {@code delta},
   * or {@code text_completion} with {@code text}. The first chat chunk carries the role; the final
   * one the finish reason and, when known, the usage.
   */
  static ObjectNode streamChunk(
      InferenceResponse r, boolean chat, String requestId, String model, long createdSec) {
    ObjectNode o =
        head(
            (chat ? "chatcmpl-" : "cmpl-") + requestId,
            chat ? "chat.completion.chunk" : "text_completion",
            model,
            createdSec);
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (r.getChunkIndex() == 0) {
        delta.put("role", "assistant");
      }
      delta.put("content", ReplyText.text(r));
    } else {
      choice.put("text", ReplyText.text(r));
    }
    choice.putNull("logprobs");
    if (r.getFinalChunk()) {
      choice.put("finish_reason", ReplyText.finishReason(r, "stop"));
      if (r.getUsage() != null) {
        o.set("usage", usage(r.getUsage()));
      }
    } else {
      choice.putNull("finish_reason");
    }
    return o;
  }

  /** OpenAI's {@code created}: when the request was made, in epoch seconds. */
  static long createdSec(InferenceResponse r) {
    Long c = r.getTimings() == null ? null : r.getTimings().getCreatedAtMs();
    return (c == null ? System.currentTimeMillis() : c) / 1000;
  }

  private static ObjectNode head(String id, String object, String model, long createdSec) {
    ObjectNode o = F.objectNode();
    o.put("id", id);
    o.put("object", object);
    o.put("created", createdSec);
    o.put("model", model);
    return o;
  }

  private static JsonNode usage(Usage u) {
    ObjectNode o = F.objectNode();
    o.put("prompt_tokens", u == null ? 0 : u.getPromptTokens());
    o.put("completion_tokens", u == null ? 0 : u.getCompletionTokens());
    o.put("total_tokens", u == null ? 0 : u.getTotalTokens());
    return o;
  }
}
