package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.CompletionInput;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI's request bodies ({@code POST /v1/chat/completions}, {@code POST /v1/completions}) as
 * {@link ParsedCall}s: {@code model} names the app, sampling parameters are top-level, and the
 * fields OpenAI's SDKs send that Sluice has no use for are ignored.
 */
final class OpenAiRequests {
  /** Longest app name ({@code model}). */
  static final int MAX_APP_LENGTH = 200;

  /** Longest OpenAI {@code user} and message {@code name}. */
  static final int MAX_USER_LENGTH = 256;

  private OpenAiRequests() {}

  /** OpenAI {@code POST /v1/chat/completions}. */
  static ParsedCall chat(JsonNode body) {
    return call(
        body,
        b ->
            ChatInput.newBuilder()
                .setMessages(BodyFields.messages(BodyFields.required(b, "messages")))
                .setSampling(BodyFields.sampling(b, ""))
                .build());
  }

  /** OpenAI {@code POST /v1/completions}. */
  static ParsedCall completion(JsonNode body) {
    return call(
        body,
        b ->
            CompletionInput.newBuilder()
                .setPrompt(BodyFields.prompt(BodyFields.required(b, "prompt")))
                .setSampling(BodyFields.sampling(b, ""))
                .build());
  }

  /**
   * {@code model} and {@code n} are checked first, then the input, then {@code stream}, {@code
   * user}.
   */
  private static ParsedCall call(JsonNode body, Function<JsonNode, Object> input) {
    String app = model(body);
    checkN(body);
    Object in = input.apply(body);
    return new ParsedCall(app, in, BodyFields.bool(body, "stream"), null, null, user(body));
  }

  private static String model(JsonNode body) {
    JsonNode m = BodyFields.required(body, "model");
    if (!m.isTextual() || m.asText().isBlank() || m.asText().length() > MAX_APP_LENGTH) {
      throw ApiError.badField(
          "model",
          "'model' must be a non-empty string of at most "
              + MAX_APP_LENGTH
              + " characters naming an app.");
    }
    return m.asText();
  }

  private static void checkN(JsonNode body) {
    JsonNode n = body.get("n");
    if (n != null
        && !n.isNull()
        && !(n.isIntegralNumber() && n.canConvertToInt() && n.asInt() == 1)) {
      throw ApiError.badField("n", "Only n=1 is supported.");
    }
  }

  private static Map<String, String> user(JsonNode body) {
    JsonNode u = body.get("user");
    if (u == null || u.isNull()) {
      return Map.of();
    }
    if (!u.isTextual() || u.textValue().length() > MAX_USER_LENGTH) {
      throw ApiError.badField(
          "user", "'user' must be a string of at most " + MAX_USER_LENGTH + " characters.");
    }
    return Map.of("user", u.asText());
  }

  /** OpenAI's 404 for a {@code model} that names no app (or one the caller may not see). */
  static ApiError modelNotFound(String app) {
    return new ApiError(
        404, "model_not_found", "The model '" + app + "' does not exist.", "model", null, null);
  }
}
