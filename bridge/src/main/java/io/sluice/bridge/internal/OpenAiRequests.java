package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.SamplingParams;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's request bodies ({@code POST /v1/chat/completions}, {@code POST /v1/completions}) as
 * {@link ParsedCall}s: {@code model} names the app, sampling parameters are top-level, and every
 * other field is passed through to the backend, ignored as bookkeeping or rejected ({@link
 * OpenAiParams}).
 */
final class OpenAiRequests {
  /** Longest app name ({@code model}). */
  static final int MAX_APP_LENGTH = 200;

  /** Longest OpenAI {@code user} and message {@code name}. */
  static final int MAX_USER_LENGTH = 256;

  private OpenAiRequests() {}

  /** Most choices a call may ask for per prompt ({@code n}). */
  static final int MAX_N = 16;

  /** Most prompts in one completions call. */
  static final int MAX_PROMPTS = 64;

  /** Most choices in one answer: {@code n} × prompts. */
  static final int MAX_CHOICES = 128;

  /** OpenAI {@code POST /v1/chat/completions}. */
  static ParsedCall chat(JsonNode body) {
    String app = model(body);
    boolean stream = BodyFields.bool(body, "stream");
    int n = n(body, 1, stream);
    Map<String, String> extra = OpenAiParams.passThrough(body, true, stream);
    ChatInput in =
        ChatInput.newBuilder()
            .setMessages(BodyFields.messages(BodyFields.required(body, "messages")))
            .setSampling(sampling(body, n, extra))
            .build();
    return new ParsedCall(app, in, stream, null, null, user(body));
  }

  /**
   * OpenAI {@code POST /v1/completions}: a list of prompts travels as one request (see the README's
   * "Several prompts"), answered with n choices per prompt.
   */
  static ParsedCall completion(JsonNode body) {
    String app = model(body);
    boolean stream = BodyFields.bool(body, "stream");
    List<String> prompts = BodyFields.prompts(BodyFields.required(body, "prompt"), MAX_PROMPTS);
    if (stream && prompts.size() > 1) {
      throw ApiError.badField(
          "prompt", "A streamed call takes one prompt; send several prompts unstreamed.");
    }
    int n = n(body, prompts.size(), stream);
    Map<String, String> extra = OpenAiParams.passThrough(body, false, stream);
    CompletionInput in =
        CompletionInput.newBuilder()
            .setPrompt(prompts.get(0))
            .setPrompts(prompts.size() > 1 ? prompts : List.of())
            .setSampling(sampling(body, n, extra))
            .build();
    return new ParsedCall(app, in, stream, null, null, user(body));
  }

  /** Most inputs of one embeddings call (OpenAI's bound). */
  static final int MAX_EMBEDDING_INPUTS = 2048;

  /** Largest {@code dimensions}. */
  static final int MAX_DIMENSIONS = 65_536;

  private static final Set<String> EMBEDDING_FIELDS =
      Set.of("model", "input", "encoding_format", "dimensions", "user");

  /**
   * OpenAI {@code POST /v1/embeddings}: {@code input} a string or 1 to {@link
   * #MAX_EMBEDDING_INPUTS} strings, {@code encoding_format} float or base64, {@code dimensions};
   * carried as a {@code JsonInput} {@code {"input": [...], "encoding_format", "dimensions"?}} for
   * the {@code embeddings} function. Any other field is rejected.
   */
  static ParsedCall embeddings(JsonNode body) {
    String app = model(body);
    for (Map.Entry<String, JsonNode> e : body.properties()) {
      if (!EMBEDDING_FIELDS.contains(e.getKey())) {
        throw ApiError.badField(
            e.getKey(), "Unknown parameter '" + e.getKey() + "' of an embeddings call.");
      }
    }
    JsonNode input = BodyFields.required(body, "input");
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ArrayNode texts = doc.putArray("input");
    String shape =
        "'input' must be a non-empty string or an array of 1 to "
            + MAX_EMBEDDING_INPUTS
            + " non-empty strings.";
    if (input.isTextual()) {
      texts.add(input.asText());
    } else if (input.isArray() && !input.isEmpty() && input.size() <= MAX_EMBEDDING_INPUTS) {
      for (int i = 0; i < input.size(); i++) {
        JsonNode x = input.get(i);
        if (x.isIntegralNumber() || x.isArray()) {
          throw ApiError.badField(
              "input", "Token-id inputs (arrays of integers) are not supported; send text.");
        }
        if (!x.isTextual()) {
          throw ApiError.badField("input[" + i + "]", shape);
        }
        texts.add(x.asText());
      }
    } else {
      throw ApiError.badField("input", shape);
    }
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).asText().isEmpty()) {
        throw ApiError.badField(input.isTextual() ? "input" : "input[" + i + "]", shape);
      }
    }
    JsonNode f = body.get("encoding_format");
    String format = f == null || f.isNull() ? "float" : f.asText();
    if (f != null
        && !f.isNull()
        && !(f.isTextual() && Set.of("float", "base64").contains(format))) {
      throw ApiError.badField("encoding_format", "'encoding_format' must be float or base64.");
    }
    doc.put("encoding_format", format);
    JsonNode d = body.get("dimensions");
    if (d != null && !d.isNull()) {
      if (!d.isIntegralNumber()
          || !d.canConvertToInt()
          || d.asInt() < 1
          || d.asInt() > MAX_DIMENSIONS) {
        throw ApiError.badField(
            "dimensions", "'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS + ".");
      }
      doc.put("dimensions", d.asInt());
    }
    return new ParsedCall(
        app, JsonInput.newBuilder().setJson(doc.toString()).build(), false, null, null, user(body));
  }

  private static SamplingParams sampling(JsonNode body, int n, Map<String, String> extra) {
    SamplingParams s = BodyFields.sampling(body, "");
    s.setN(n == 1 ? null : n);
    s.setExtra(new HashMap<>(extra));
    return s;
  }

  /** {@code n}: 1 to {@link #MAX_N}, n × prompts at most {@link #MAX_CHOICES}, 1 when streamed. */
  private static int n(JsonNode body, int prompts, boolean stream) {
    JsonNode n = body.get("n");
    if (n == null || n.isNull()) {
      return 1;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_N) {
      throw ApiError.badField("n", "'n' must be an integer from 1 to " + MAX_N + ".");
    }
    if (n.asInt() * prompts > MAX_CHOICES) {
      throw ApiError.badField(
          "n", "'n' times the number of prompts must be at most " + MAX_CHOICES + " choices.");
    }
    if (stream && n.asInt() > 1) {
      throw ApiError.badField(
          "n", "A streamed call takes n=1; ask for several choices unstreamed.");
    }
    return n.asInt();
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
