package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
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
  /** Deepest nesting of arrays and objects a body may have. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest number literal (digits, sign, exponent). */
  public static final int MAX_NUMBER_LENGTH = 100;

  /** Longest object key. */
  public static final int MAX_NAME_LENGTH = 1024;

  /** Longest app name ({@code model}). */
  public static final int MAX_APP_LENGTH = 200;

  /** Longest OpenAI {@code user} and message {@code name}. */
  public static final int MAX_USER_LENGTH = 256;

  public static final int MAX_NAME_FIELD_LENGTH = 64;
  public static final int MAX_STOP_SEQUENCES = 4;
  public static final int MAX_STOP_LENGTH = 256;
  public static final int MAX_ATTRIBUTES = 64;
  public static final int MAX_ATTRIBUTE_KEY_LENGTH = 128;
  public static final int MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

  /** Attributes the bridge sets itself; a caller may not forge them. */
  static final Set<String> RESERVED_ATTRIBUTES = Set.of("idempotency-key");

  /**
   * Bounded parsing (Jackson's stream-read constraints: nesting depth, number and key length; the
   * body limit bounds strings) and no duplicate keys: {@code {"input": 1, "input": 2}} means
   * different things to different parsers, so it is refused rather than resolved.
   */
  static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxNameLength(MAX_NAME_LENGTH)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
    rejectLoneSurrogates(node);
    return node;
  }

  /**
   * A {@code \\ud800} escape decodes to half a UTF-16 pair, which has no UTF-8 form: Avro would
   * write it as '?', silently changing the caller's text.
   */
  private static void rejectLoneSurrogates(JsonNode node) {
    if (node.isTextual()) {
      checkText(node.textValue());
    } else if (node.isObject()) {
      for (var e : node.properties()) {
        checkText(e.getKey());
        rejectLoneSurrogates(e.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode x : node) {
        rejectLoneSurrogates(x);
      }
    }
  }

  private static void checkText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ApiError.invalidJson(
            "The request body has a string with an unpaired UTF-16 surrogate escape (\\u"
                + Integer.toHexString(c)
                + "), which is not text.");
      }
    }
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
      if (name != null
          && !name.isNull()
          && (!name.isTextual() || name.textValue().length() > MAX_NAME_FIELD_LENGTH)) {
        throw ApiError.badField(
            at + ".name",
            "'name' must be a string of at most " + MAX_NAME_FIELD_LENGTH + " characters.");
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
      if (stops.size() > MAX_STOP_SEQUENCES
          || stops.stream().anyMatch(x -> x.length() > MAX_STOP_LENGTH)) {
        throw ApiError.badField(
            prefix + "stop",
            "'stop' may have at most "
                + MAX_STOP_SEQUENCES
                + " sequences of at most "
                + MAX_STOP_LENGTH
                + " characters.");
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
