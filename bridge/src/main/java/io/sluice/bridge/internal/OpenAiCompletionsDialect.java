package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import java.util.Map;

/**
 * OpenAI's {@code POST /v1/completions}: {@code text_completion} results and stream chunks, streams
 * ending with {@code data: [DONE]}, OpenAI's error shape; {@code model} names the app.
 */
final class OpenAiCompletionsDialect implements Dialect {
  static final OpenAiCompletionsDialect INSTANCE = new OpenAiCompletionsDialect();

  private OpenAiCompletionsDialect() {}

  @Override
  public String metricTag() {
    return "completions";
  }

  @Override
  public String idName() {
    return "COMPLETION";
  }

  @Override
  public ParsedCall parse(Map<String, String> pathParams, JsonNode body) {
    return OpenAiRequests.completion(body);
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
    return OpenAiReplies.completion(r, app, OpenAiReplies.createdSec(r));
  }

  @Override
  public String chunk(InferenceResponse r, String requestId, String app) {
    return OpenAiReplies.streamChunk(r, false, requestId, app, OpenAiReplies.createdSec(r))
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
