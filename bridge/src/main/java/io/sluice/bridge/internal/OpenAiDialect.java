package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import java.util.Map;

/**
 * OpenAI's call APIs, one dialect each: {@code model} names the app, streams end with {@code data:
 * [DONE]}, errors have OpenAI's shape, request ids carry the route's prefix. They differ in their
 * bodies ({@link OpenAiRequests}) and objects ({@link OpenAiReplies}).
 */
enum OpenAiDialect implements Dialect {
  /** {@code POST /v1/chat/completions}: {@code chat.completion}, {@code chat.completion.chunk}. */
  CHAT("chat", "CHAT", true) {
    @Override
    public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
      return OpenAiRequests.chat(body);
    }

    @Override
    public JsonNode result(InferenceResponse r, String app) {
      return OpenAiReplies.chatCompletion(r, app, OpenAiReplies.createdSec(r));
    }
  },

  /** {@code POST /v1/completions}: {@code text_completion} results and stream chunks. */
  COMPLETIONS("completions", "COMPLETION", false) {
    @Override
    public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
      return OpenAiRequests.completion(body);
    }

    @Override
    public JsonNode result(InferenceResponse r, String app) {
      return OpenAiReplies.completion(r, app, OpenAiReplies.createdSec(r));
    }
  },

  /** {@code POST /v1/embeddings}: OpenAI's {@code list} of {@code embedding}s; never streamed. */
  EMBEDDINGS("embeddings", "EMBEDDINGS", false) {
    @Override
    public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
      return OpenAiRequests.embeddings(body);
    }

    @Override
    public JsonNode result(InferenceResponse r, String app) {
      return OpenAiReplies.embeddings(r, app);
    }

    @Override
    public String chunk(InferenceResponse r, String requestId, String app) {
      return result(r, app).toString(); // not reached: an embeddings call has no "stream"
    }
  };

  private final String metricTag;
  private final String idName;
  private final boolean chat;

  OpenAiDialect(String metricTag, String idName, boolean chat) {
    this.metricTag = metricTag;
    this.idName = idName;
    this.chat = chat;
  }

  @Override
  public String metricTag() {
    return metricTag;
  }

  @Override
  public String idName() {
    return idName;
  }

  @Override
  public ApiError unknownApp(String app) {
    return OpenAiRequests.modelNotFound(app);
  }

  @Override
  public String appParam() {
    return "model";
  }

  /** Async calls too, their result rendered by {@link #ofRequestId} in this route's shape. */
  @Override
  public boolean allowsAsync() {
    return true;
  }

  /**
   * {@code chatcmpl-}, {@code cmpl-}, {@code embd-}: so that a stored result, read back by id on
   * any replica ({@code GET /v1/requests/{id}}), is rendered in the shape of the route that made
   * it.
   */
  @Override
  public String idPrefix() {
    return switch (this) {
      case CHAT -> "chatcmpl-";
      case COMPLETIONS -> "cmpl-";
      case EMBEDDINGS -> "embd-";
    };
  }

  /**
   * The dialect whose route handed out a request id: an OpenAI one by its prefix, else Sluice's.
   */
  static Dialect ofRequestId(String id) {
    for (OpenAiDialect d : values()) {
      if (id.startsWith(d.idPrefix())) {
        return d;
      }
    }
    return SluiceDialect.INSTANCE;
  }

  @Override
  public String chunk(InferenceResponse r, String requestId, String app) {
    return OpenAiReplies.streamChunk(r, chat, requestId, app, OpenAiReplies.createdSec(r))
        .toString();
  }

  @Override
  public boolean endsStreamWithDone() {
    return true;
  }

  @Override
  public ErrorShape errors() {
    return ErrorShape.OPENAI;
  }
}
