package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import io.sluice.avro.Usage;
import io.sluice.schemas.ErrorCodes;
import java.util.Locale;

/** Renders {@link InferenceResponse}s as Sluice's JSON and as OpenAI's objects and chunks. */
public final class ResponseMapper {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ResponseMapper() {}

  /** The HTTP error of an ERROR reply (status by its stable code), or null for an OK reply. */
  public static ApiError errorOf(InferenceResponse r) {
    if (r.getStatus() == ResponseStatus.OK) {
      return null;
    }
    ErrorInfo e = r.getError();
    String code = e == null ? ErrorCodes.INTERNAL : e.getCode();
    String message = e == null ? "The reply carried no output." : e.getMessage();
    int status =
        switch (code) {
          case ErrorCodes.INVALID_INPUT -> 422;
          case ErrorCodes.UNKNOWN_APP -> 404;
          case ErrorCodes.DEADLINE_EXCEEDED -> 504;
          case ErrorCodes.RATE_LIMITED -> 429;
          case ErrorCodes.BACKEND_UNAVAILABLE, ErrorCodes.CANCELLED -> 503;
          case ErrorCodes.FUNCTION_ERROR, ErrorCodes.BACKEND_ERROR, ErrorCodes.UNDECODABLE -> 502;
          default -> 500;
        };
    Integer retryAfter = e != null && e.getRetriable() ? 1 : null;
    return new ApiError(status, code, message, null, retryAfter, r.getRequestId());
  }

  /** Sluice's reply body: {@code {"requestId","app","status","output","usage",...}}. */
  public static ObjectNode sluice(InferenceResponse r) {
    ObjectNode o = F.objectNode();
    o.put("requestId", r.getRequestId());
    o.put("app", r.getApp());
    o.put("status", r.getStatus().name());
    if (r.getDeployment() != null) {
      o.put("deployment", r.getDeployment());
    }
    if (r.getVariant() != null) {
      o.put("variant", r.getVariant());
    }
    Object out = r.getOutput();
    if (out instanceof JsonOutput j) {
      o.set("output", parseOrText(j.getJson()));
    } else if (out instanceof ChatOutput c) {
      ObjectNode co = o.putObject("output");
      ObjectNode m = co.putObject("message");
      m.put("role", c.getMessage().getRole().name().toLowerCase(Locale.ROOT));
      m.put("content", c.getMessage().getContent());
      co.put("finishReason", c.getFinishReason());
    } else if (out instanceof CompletionOutput c) {
      ObjectNode co = o.putObject("output");
      co.put("text", c.getText());
      co.put("finishReason", c.getFinishReason());
    } else {
      o.putNull("output");
    }
    if (r.getUsage() != null) {
      o.set("usage", usage(r.getUsage(), false));
    }
    Timings t = r.getTimings();
    if (t != null) {
      ObjectNode tn = o.putObject("timings");
      putIfSet(tn, "createdAtMs", t.getCreatedAtMs());
      putIfSet(tn, "routedAtMs", t.getRoutedAtMs());
      putIfSet(tn, "batchFlushedAtMs", t.getBatchFlushedAtMs());
      putIfSet(tn, "startedAtMs", t.getStartedAtMs());
      putIfSet(tn, "finishedAtMs", t.getFinishedAtMs());
    }
    return o;
  }

  /** OpenAI {@code chat.completion}. */
  public static ObjectNode chatCompletion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o = head("chatcmpl-" + r.getRequestId(), "chat.completion", model, createdSec);
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode m = choice.putObject("message");
    m.put("role", "assistant");
    m.put("content", text(r));
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(r, "stop"));
    o.set("usage", usage(r.getUsage(), true));
    return o;
  }

  /** OpenAI {@code text_completion}. */
  public static ObjectNode completion(InferenceResponse r, String model, long createdSec) {
    ObjectNode o = head("cmpl-" + r.getRequestId(), "text_completion", model, createdSec);
    ObjectNode choice = o.putArray("choices").addObject();
    choice.put("text", text(r));
    choice.put("index", 0);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(r, "stop"));
    o.set("usage", usage(r.getUsage(), true));
    return o;
  }

  /**
   * One OpenAI stream chunk for a reply chunk: {@code chat.completion.chunk} with a {@code delta},
   * or {@code text_completion} with {@code text}. The first chat chunk carries the role; the final
   * one the finish reason and, when known, the usage.
   */
  public static ObjectNode streamChunk(
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
      delta.put("content", text(r));
    } else {
      choice.put("text", text(r));
    }
    choice.putNull("logprobs");
    if (r.getFinalChunk()) {
      choice.put("finish_reason", finishReason(r, "stop"));
      if (r.getUsage() != null) {
        o.set("usage", usage(r.getUsage(), true));
      }
    } else {
      choice.putNull("finish_reason");
    }
    return o;
  }

  /** The same reply with its chat or completion text replaced. */
  static InferenceResponse withText(InferenceResponse r, String text) {
    Object out = r.getOutput();
    InferenceResponse.Builder b = InferenceResponse.newBuilder(r);
    if (out instanceof ChatOutput c) {
      b.setOutput(
          ChatOutput.newBuilder(c)
              .setMessage(ChatMessage.newBuilder(c.getMessage()).setContent(text).build())
              .build());
    } else if (out instanceof CompletionOutput c) {
      b.setOutput(CompletionOutput.newBuilder(c).setText(text).build());
    }
    return b.build();
  }

  /** The generated text of a chat or completion reply ("" for others). */
  public static String text(InferenceResponse r) {
    Object out = r.getOutput();
    if (out instanceof ChatOutput c) {
      return c.getMessage().getContent();
    }
    if (out instanceof CompletionOutput c) {
      return c.getText();
    }
    if (out instanceof JsonOutput j) {
      return j.getJson();
    }
    return "";
  }

  private static String finishReason(InferenceResponse r, String fallback) {
    Object out = r.getOutput();
    String f = null;
    if (out instanceof ChatOutput c) {
      f = c.getFinishReason();
    } else if (out instanceof CompletionOutput c) {
      f = c.getFinishReason();
    }
    return f == null ? fallback : f;
  }

  private static ObjectNode head(String id, String object, String model, long createdSec) {
    ObjectNode o = F.objectNode();
    o.put("id", id);
    o.put("object", object);
    o.put("created", createdSec);
    o.put("model", model);
    return o;
  }

  private static JsonNode usage(Usage u, boolean openAi) {
    ObjectNode o = F.objectNode();
    int p = u == null ? 0 : u.getPromptTokens();
    int c = u == null ? 0 : u.getCompletionTokens();
    int t = u == null ? 0 : u.getTotalTokens();
    o.put(openAi ? "prompt_tokens" : "promptTokens", p);
    o.put(openAi ? "completion_tokens" : "completionTokens", c);
    o.put(openAi ? "total_tokens" : "totalTokens", t);
    return o;
  }

  private static void putIfSet(ObjectNode o, String name, Long v) {
    if (v != null) {
      o.put(name, v);
    }
  }

  private static JsonNode parseOrText(String json) {
    try {
      return RequestMapper.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return F.textNode(json);
    }
  }
}
