package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.Priority;
import io.sluice.avro.SamplingParams;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Sluice's own request body ({@code POST /v1/apps/{app}/infer}) as a {@link ParsedCall}. Every
 * problem is an {@link ApiError} 400 naming the field at fault; unlike the OpenAI routes ({@link
 * OpenAiRequests}), unknown fields are rejected.
 */
public final class RequestMapper {
  static final int MAX_ATTRIBUTES = 64;
  static final int MAX_ATTRIBUTE_KEY_LENGTH = 128;
  static final int MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

  /** Attributes the bridge sets itself; a caller may not forge them. */
  static final Set<String> RESERVED_ATTRIBUTES = Set.of("idempotency-key");

  private static final Set<String> INFER_FIELDS =
      Set.of(
          "input",
          "messages",
          "prompt",
          "sampling",
          "stream",
          "attributes",
          "priority",
          "timeout_ms");
  private static final Set<String> SAMPLING_FIELDS =
      Set.of("max_tokens", "temperature", "top_p", "stop", "seed");

  private RequestMapper() {}

  /**
   * Parses a JSON object body; 400 {@code invalid_json} if it is not one. The parse itself is
   * {@link JsonBody#parseObject}; this name stays because the load generator's contract test checks
   * its bodies against this class.
   */
  public static JsonNode parseObject(String body) {
    return JsonBody.parseObject(body);
  }

  /**
   * {@code POST /v1/apps/{app}/infer}: exactly one of {@code input} (any JSON, for non-LLM
   * functions), {@code messages} (chat) or {@code prompt} (completion), plus optional {@code
   * sampling}, {@code stream}, {@code attributes}, {@code priority} and {@code timeout_ms}.
   */
  public static ParsedCall infer(String app, JsonNode body) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!INFER_FIELDS.contains(f)) {
        throw ApiError.badField(f, "Unknown field '" + f + "'; allowed: " + INFER_FIELDS + ".");
      }
    }
    int kinds =
        (body.has("input") ? 1 : 0) + (body.has("messages") ? 1 : 0) + (body.has("prompt") ? 1 : 0);
    if (kinds != 1) {
      throw ApiError.badField(
          "input", "Give exactly one of 'input' (any JSON), 'messages' (chat) or 'prompt'.");
    }
    SamplingParams sampling = SamplingParams.newBuilder().build();
    if (body.has("sampling")) {
      JsonNode s = body.get("sampling");
      if (!s.isObject()) {
        throw ApiError.badField("sampling", "'sampling' must be an object.");
      }
      for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!SAMPLING_FIELDS.contains(f)) {
          throw ApiError.badField("sampling." + f, "Unknown sampling field '" + f + "'.");
        }
      }
      sampling = BodyFields.sampling(s, "sampling.");
    }
    Object input;
    if (body.has("input")) {
      input = JsonInput.newBuilder().setJson(body.get("input").toString()).build();
    } else if (body.has("messages")) {
      input =
          ChatInput.newBuilder()
              .setMessages(BodyFields.messages(body.get("messages")))
              .setSampling(sampling)
              .build();
    } else {
      input =
          CompletionInput.newBuilder()
              .setPrompt(BodyFields.prompt(body.get("prompt")))
              .setSampling(sampling)
              .build();
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    if (body.has("attributes")) {
      JsonNode a = body.get("attributes");
      if (!a.isObject()) {
        throw ApiError.badField("attributes", "'attributes' must be an object of strings.");
      }
      if (a.size() > MAX_ATTRIBUTES) {
        throw ApiError.badField(
            "attributes", "'attributes' may have at most " + MAX_ATTRIBUTES + " entries.");
      }
      a.properties()
          .forEach(
              e -> {
                String k = e.getKey();
                if (k.isEmpty() || k.length() > MAX_ATTRIBUTE_KEY_LENGTH) {
                  throw ApiError.badField(
                      "attributes",
                      "Attribute names must have 1 to "
                          + MAX_ATTRIBUTE_KEY_LENGTH
                          + " characters.");
                }
                if (RESERVED_ATTRIBUTES.contains(k)) {
                  throw ApiError.badField(
                      "attributes." + k, "The attribute '" + k + "' is set by the bridge.");
                }
                if (!e.getValue().isTextual()
                    || e.getValue().textValue().length() > MAX_ATTRIBUTE_VALUE_LENGTH) {
                  throw ApiError.badField(
                      "attributes." + k,
                      "Attribute values must be strings of at most "
                          + MAX_ATTRIBUTE_VALUE_LENGTH
                          + " characters.");
                }
                attributes.put(k, e.getValue().asText());
              });
    }
    Priority priority = null;
    if (body.has("priority")) {
      priority = BodyFields.priority(body.get("priority"), "priority");
    }
    Long timeout = null;
    if (body.has("timeout_ms")) {
      JsonNode t = body.get("timeout_ms");
      if (!t.canConvertToLong() || !t.isIntegralNumber() || t.asLong() < 1) {
        throw ApiError.badField("timeout_ms", "'timeout_ms' must be a positive integer.");
      }
      timeout = t.asLong();
    }
    return new ParsedCall(
        app, input, BodyFields.bool(body, "stream"), priority, timeout, attributes);
  }
}
