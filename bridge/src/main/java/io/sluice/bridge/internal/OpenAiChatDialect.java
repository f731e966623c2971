package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import java.util.Map;

/**
 * OpenAI's {@code POST /v1/chat/completions}: {@code chat.completion} results, {@code
 * chat.completion.chunk} stream chunks, streams ending with {@code data: [DONE]}, OpenAI's error
 * shape; {@code model} names the app.
 */
final class OpenAiChatDialect implements Dialect {
  static final OpenAiChatDialect INSTANCE = new OpenAiChatDialect();

  private OpenAiChatDialect() {}

  @Override
  public String metricTag() {
    return "chat";
  }

  @Override
  public String idName() {
    return "CHAT";
  }

  @Override
  public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
    return OpenAiRequests.chat(body);
  }

  @Override
  public ApiError unknownApp(String app) {
    return OpenAiRequests.modelNotFound(app);
  }

  @Override
  public String appParam() {
    return "model";
  }

  @Override
  public boolean allowsAsync() {
    return false;
  }

  @Override
  public JsonNode result(InferenceResponse r, String app) {
    return OpenAiReplies.chatCompletion(r, app, OpenAiReplies.createdSec(r));
  }

  @Override
  public String chunk(InferenceResponse r, String requestId, String app) {
    return OpenAiReplies.streamChunk(r, true, requestId, app, OpenAiReplies.createdSec(r))
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
