package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.Choice;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.Usage;
import java.util.List;

/**
 * OpenAI's reply objects: {@code chat.completion}, {@code text_completion} and their stream chunks,
 * the embeddings list, with OpenAI's field names ({@code prompt_tokens}, {@code finish_reason}).
 */
final class OpenAiReplies {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OpenAiReplies() {}

  /** OpenAI {@code chat.completion}: one choice, or every choice the reply carries. */
  static ObjectNode chatCompletion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o =
        head(objectId("chatcmpl-", r.getRequestId()), "chat.completion", model, createdSec);
    ArrayNode choices = o.putArray("choices");
    List<Choice> all = r.getOutput() instanceof ChatOutput c ? c.getChoices() : List.of();
    if (all.isEmpty()) {
      chatChoice(choices, 0, ReplyText.text(r), ReplyText.finishReason(r, "stop"), null, null);
    } else {
      for (Choice c : all) {
        chatChoice(
            choices,
            c.getIndex(),
            c.getText(),
            c.getFinishReason() == null ? "stop" : c.getFinishReason(),
            c.getToolCalls(),
            c.getLogprobs());
      }
    }
    o.set("usage", usage(r.getUsage()));
    return o;
  }

  private static void chatChoice(
      ArrayNode choices,
      int index,
      String text,
      String finishReason,
      String toolCalls,
      String logprobs) {
    ObjectNode choice = choices.addObject();
    choice.put("index", index);
    ObjectNode m = choice.putObject("message");
    m.put("role", "assistant");
    if (toolCalls != null && text.isEmpty()) {
      m.putNull("content"); // OpenAI's shape of a message that only calls tools
    } else {
      m.put("content", text);
    }
    if (toolCalls != null) {
      m.set("tool_calls", parsed(toolCalls));
    }
    choice.set("logprobs", logprobs == null ? F.nullNode() : parsed(logprobs));
    choice.put("finish_reason", finishReason);
  }

  /**
   * OpenAI {@code text_completion}: one choice, or every choice the reply carries (prompt i, sample
   * j at index i × n + j).
   */
  static ObjectNode completion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o = head(objectId("cmpl-", r.getRequestId()), "text_completion", model, createdSec);
    ArrayNode choices = o.putArray("choices");
    List<Choice> all = r.getOutput() instanceof CompletionOutput c ? c.getChoices() : List.of();
    if (all.isEmpty()) {
      completionChoice(choices, 0, ReplyText.text(r), ReplyText.finishReason(r, "stop"), null);
    } else {
      for (Choice c : all) {
        completionChoice(
            choices,
            c.getIndex(),
            c.getText(),
            c.getFinishReason() == null ? "stop" : c.getFinishReason(),
            c.getLogprobs());
      }
    }
    o.set("usage", usage(r.getUsage()));
    return o;
  }

  private static void completionChoice(
      ArrayNode choices, int index, String text, String finishReason, String logprobs) {
    ObjectNode choice = choices.addObject();
    choice.put("text", text);
    choice.put("index", index);
    choice.set("logprobs", logprobs == null ? F.nullNode() : parsed(logprobs));
    choice.put("finish_reason", finishReason);
  }

  /**
   * OpenAI's embeddings list from the {@code embeddings} function's output ({@code {"embeddings":
   * [...]}}, each a float array or a base64 string as the call asked).
   */
  static ObjectNode embeddings(InferenceResponse r, String model) {
    JsonNode out = r.getOutput() instanceof JsonOutput j ? parsed(j.getJson()) : F.objectNode();
    ObjectNode o = F.objectNode();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    JsonNode vectors = out.path("embeddings");
    for (int i = 0; i < vectors.size(); i++) {
      ObjectNode e = data.addObject();
      e.put("object", "embedding");
      e.set("embedding", vectors.get(i));
      e.put("index", i);
    }
    o.put("model", model);
    Usage u = r.getUsage();
    ObjectNode usage = o.putObject("usage");
    usage.put("prompt_tokens", u == null ? 0 : u.getPromptTokens());
    usage.put("total_tokens", u == null ? 0 : u.getTotalTokens());
    return o;
  }

  /**
   * An OpenAI object's id: the request id, which the OpenAI routes already give the object's prefix
   * ({@code chatcmpl-...}), else the prefix and the request id.
   */
  static String objectId(String prefix, String requestId) {
    return requestId.startsWith(prefix) ? requestId : prefix + requestId;
  }

  /** JSON text a worker copied from the backend (tool calls, logprobs), as JSON. */
  private static JsonNode parsed(String json) {
    try {
      return JsonBody.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return F.textNode(json);
    }
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
            objectId(chat ? "chatcmpl-" : "cmpl-", requestId),
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
