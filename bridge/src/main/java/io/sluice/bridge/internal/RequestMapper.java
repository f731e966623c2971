package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.Priority;
import io.sluice.avro.SamplingParams;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns HTTP bodies into validated {@link ParsedCall}s. Every problem is an {@link ApiError} 400
 * naming the field at fault ({@code messages[1].role}); Sluice's own route rejects unknown fields,
 * the OpenAI-compatible routes ignore the ones OpenAI's SDKs send that Sluice has no use for.
 */
public final class RequestMapper {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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

  /** Parses a JSON object body; 400 {@code invalid_json} if it is not one. */
  public static JsonNode parseObject(String body) {
    if (body == null || body.isBlank()) {
      throw ApiError.invalidJson("The request body is empty; a JSON object is required.");
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.invalidJson(
          "The request body is not valid JSON: " + e.getOriginalMessage() + locationOf(e));
    }
    if (node == null || !node.isObject()) {
      throw ApiError.invalidJson("The request body must be a JSON object.");
    }
    return node;
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
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
      sampling = sampling(s, "sampling.");
    }
    Object input;
    if (body.has("input")) {
      input = JsonInput.newBuilder().setJson(body.get("input").toString()).build();
    } else if (body.has("messages")) {
      input =
          ChatInput.newBuilder()
              .setMessages(messages(body.get("messages")))
              .setSampling(sampling)
              .build();
    } else {
      input =
          CompletionInput.newBuilder()
              .setPrompt(prompt(body.get("prompt")))
              .setSampling(sampling)
              .build();
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    if (body.has("attributes")) {
      JsonNode a = body.get("attributes");
      if (!a.isObject()) {
        throw ApiError.badField("attributes", "'attributes' must be an object of strings.");
      }
      a.properties()
          .forEach(
              e -> {
                if (!e.getValue().isTextual()) {
                  throw ApiError.badField(
                      "attributes." + e.getKey(), "Attribute values must be strings.");
                }
                attributes.put(e.getKey(), e.getValue().asText());
              });
    }
    Priority priority = null;
    if (body.has("priority")) {
      priority = priority(body.get("priority"), "priority");
    }
    Long timeout = null;
    if (body.has("timeout_ms")) {
      JsonNode t = body.get("timeout_ms");
      if (!t.canConvertToLong() || !t.isIntegralNumber() || t.asLong() < 1) {
        throw ApiError.badField("timeout_ms", "'timeout_ms' must be a positive integer.");
      }
      timeout = t.asLong();
    }
    return new ParsedCall(app, input, bool(body, "stream"), priority, timeout, attributes);
  }

  /** OpenAI {@code POST /v1/chat/completions}. */
  public static ParsedCall chat(JsonNode body) {
    String app = model(body);
    checkN(body);
    ChatInput input =
        ChatInput.newBuilder()
            .setMessages(messages(required(body, "messages")))
            .setSampling(sampling(body, ""))
            .build();
    return new ParsedCall(app, input, bool(body, "stream"), null, null, user(body));
  }

  /** OpenAI {@code POST /v1/completions}. */
  public static ParsedCall completion(JsonNode body) {
    String app = model(body);
    checkN(body);
    CompletionInput input =
        CompletionInput.newBuilder()
            .setPrompt(prompt(required(body, "prompt")))
            .setSampling(sampling(body, ""))
            .build();
    return new ParsedCall(app, input, bool(body, "stream"), null, null, user(body));
  }

  /** Parses {@code interactive} or {@code bulk}. */
  public static Priority priority(JsonNode node, String field) {
    String p = node.isTextual() ? node.asText().toUpperCase(Locale.ROOT) : "";
    try {
      return Priority.valueOf(p);
    } catch (IllegalArgumentException e) {
      throw ApiError.badField(field, "'" + field + "' must be \"interactive\" or \"bulk\".");
    }
  }

  private static String model(JsonNode body) {
    JsonNode m = required(body, "model");
    if (!m.isTextual() || m.asText().isBlank()) {
      throw ApiError.badField("model", "'model' must be a non-empty string naming an app.");
    }
    return m.asText();
  }

  private static void checkN(JsonNode body) {
    JsonNode n = body.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
      throw ApiError.badField("n", "Only n=1 is supported.");
    }
  }

  private static Map<String, String> user(JsonNode body) {
    JsonNode u = body.get("user");
    if (u == null || u.isNull()) {
      return Map.of();
    }
    if (!u.isTextual()) {
      throw ApiError.badField("user", "'user' must be a string.");
    }
    return Map.of("user", u.asText());
  }

  private static JsonNode required(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      throw ApiError.badField(field, "Missing required field '" + field + "'.");
    }
    return n;
  }

  private static boolean bool(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw ApiError.badField(field, "'" + field + "' must be true or false.");
    }
    return n.asBoolean();
  }

  private static List<ChatMessage> messages(JsonNode node) {
    if (!node.isArray() || node.isEmpty()) {
      throw ApiError.badField("messages", "'messages' must be a non-empty array.");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = node.get(i);
      if (!m.isObject()) {
        throw ApiError.badField(at, "Each message must be an object.");
      }
      ChatRole role;
      JsonNode r = m.get("role");
      try {
        role = ChatRole.valueOf(r == null ? "" : r.asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        role = ChatRole.UNKNOWN;
      }
      if (role == ChatRole.UNKNOWN || r == null || !r.isTextual()) {
        throw ApiError.badField(
            at + ".role", "'role' must be one of system, developer, user, assistant, tool.");
      }
      JsonNode name = m.get("name");
      if (name != null && !name.isNull() && !name.isTextual()) {
        throw ApiError.badField(at + ".name", "'name' must be a string.");
      }
      out.add(
          ChatMessage.newBuilder()
              .setRole(role)
              .setContent(content(m.get("content"), at + ".content"))
              .setName(name == null || name.isNull() ? null : name.asText())
              .build());
    }
    return out;
  }

  /** A string, null (assistant tool calls), or an array of {@code {"type":"text","text"}} parts. */
  private static String content(JsonNode c, String at) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < c.size(); i++) {
        JsonNode part = c.get(i);
        if (!part.isObject()
            || !"text".equals(part.path("type").asText())
            || !part.path("text").isTextual()) {
          throw ApiError.badField(
              at + "[" + i + "]", "Only {\"type\": \"text\", \"text\": ...} parts are supported.");
        }
        sb.append(part.get("text").asText());
      }
      return sb.toString();
    }
    throw ApiError.badField(at, "'content' must be a string or an array of text parts.");
  }

  private static String prompt(JsonNode p) {
    if (p.isTextual()) {
      return p.asText();
    }
    if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      return p.get(0).asText();
    }
    throw ApiError.badField("prompt", "'prompt' must be a string (or an array of one string).");
  }

  private static SamplingParams sampling(JsonNode s, String prefix) {
    SamplingParams.Builder b = SamplingParams.newBuilder();
    JsonNode max =
        s.has("max_completion_tokens") ? s.get("max_completion_tokens") : s.get("max_tokens");
    String maxName = s.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    if (max != null && !max.isNull()) {
      if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > Integer.MAX_VALUE) {
        throw ApiError.badField(prefix + maxName, "'" + maxName + "' must be a positive integer.");
      }
      b.setMaxTokens(max.asInt());
    }
    b.setTemperature(number(s, "temperature", prefix, 0, 2));
    b.setTopP(number(s, "top_p", prefix, 0, 1));
    JsonNode stop = s.get("stop");
    if (stop != null && !stop.isNull()) {
      List<String> stops = new ArrayList<>();
      if (stop.isTextual()) {
        stops.add(stop.asText());
      } else if (stop.isArray()) {
        for (JsonNode x : stop) {
          if (!x.isTextual()) {
            throw ApiError.badField(prefix + "stop", "'stop' must be a string or strings.");
          }
          stops.add(x.asText());
        }
      } else {
        throw ApiError.badField(prefix + "stop", "'stop' must be a string or strings.");
      }
      b.setStop(stops);
    }
    JsonNode seed = s.get("seed");
    if (seed != null && !seed.isNull()) {
      if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
        throw ApiError.badField(prefix + "seed", "'seed' must be an integer.");
      }
      b.setSeed(seed.asLong());
    }
    return b.build();
  }

  private static Double number(JsonNode s, String field, String prefix, double min, double max) {
    JsonNode n = s.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
      throw ApiError.badField(
          prefix + field, "'" + field + "' must be a number from " + min + " to " + max + ".");
    }
    return n.asDouble();
  }
}
