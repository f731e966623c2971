package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the OpenAI routes do with each top-level field of a chat or completions body (the table in
 * {@code bridge/README.md}): read by Sluice, passed through to vLLM after a type/range check,
 * accepted and ignored (SDK bookkeeping), or rejected with a 400 naming it. No field is dropped in
 * silence: one not in the table is rejected too.
 */
final class OpenAiParams {
  /** Most entries of {@code logit_bias}. */
  static final int MAX_LOGIT_BIAS = 1024;

  /** Most {@code tools}, as OpenAI allows. */
  static final int MAX_TOOLS = 128;

  /** Most {@code top_logprobs} on chat (OpenAI's bound) and {@code logprobs} on completions. */
  static final int MAX_TOP_LOGPROBS = 20;

  static final int MAX_COMPLETION_LOGPROBS = 5;

  private static final Pattern TOKEN_ID = Pattern.compile("[0-9]{1,10}");
  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Read by Sluice itself (BodyFields, OpenAiRequests) on both routes. */
  private static final Set<String> READ_BOTH =
      Set.of("model", "max_tokens", "temperature", "top_p", "stop", "seed", "n", "stream", "user");

  /** Accepted and ignored: bookkeeping of OpenAI's SDKs and platform with no effect on output. */
  static final Set<String> IGNORED =
      Set.of(
          "stream_options",
          "metadata",
          "store",
          "service_tier",
          "prompt_cache_key",
          "safety_identifier");

  /** Rejected by name, with the reason. */
  private static final Map<String, String> REJECTED =
      Map.ofEntries(
          Map.entry("functions", "'functions' is deprecated by OpenAI; send 'tools'."),
          Map.entry(
              "function_call", "'function_call' is deprecated by OpenAI; send 'tool_choice'."),
          Map.entry("audio", "Audio output is not supported."),
          Map.entry("modalities", "Only text output is supported; leave 'modalities' out."),
          Map.entry("prediction", "Predicted outputs are not supported."),
          Map.entry("web_search_options", "Web search is not supported."),
          Map.entry("reasoning_effort", "'reasoning_effort' is not supported."),
          Map.entry("verbosity", "'verbosity' is not supported."),
          Map.entry("best_of", "'best_of' is not supported (vLLM's engine dropped it); use 'n'."),
          Map.entry("suffix", "'suffix' is not supported (vLLM does not support it)."));

  private OpenAiParams() {}

  /**
   * Checks every top-level field of a body and returns the pass-through ones (name → value as JSON
   * text) for {@code SamplingParams.extra}; throws a 400 naming the first field that is rejected,
   * unknown, or out of range.
   */
  static Map<String, String> passThrough(JsonNode body, boolean chat, boolean stream) {
    Map<String, String> extra = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : body.properties()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (IGNORED.contains(name)) {
        ignored(name, v);
        continue;
      }
      if (READ_BOTH.contains(name)
          || (chat
              ? name.equals("messages") || name.equals("max_completion_tokens")
              : name.equals("prompt"))) {
        continue;
      }
      String rejected = REJECTED.get(name);
      if (rejected != null) {
        throw ApiError.badField(name, rejected);
      }
      if (v.isNull()) {
        continue; // an explicit null is the parameter's default, as OpenAI treats it
      }
      if (!check(name, v, chat)) {
        throw ApiError.badField(
            name,
            "Unknown parameter '"
                + name
                + "' (see the bridge's README for the parameters Sluice supports).");
      }
      boolean asks = !(v.isBoolean() && !v.asBoolean()) && !(v.isNumber() && v.asInt() == 0);
      if (stream && asks && (name.equals("tools") || name.contains("logprobs"))) {
        throw ApiError.badField(
            name, "'" + name + "' cannot be combined with \"stream\": true here; call unstreamed.");
      }
      extra.put(name, v.toString());
    }
    if (chat && extra.containsKey("top_logprobs") && !"true".equals(extra.get("logprobs"))) {
      throw ApiError.badField("top_logprobs", "'top_logprobs' needs \"logprobs\": true.");
    }
    if (chat && extra.containsKey("tool_choice") && !extra.containsKey("tools")) {
      throw ApiError.badField("tool_choice", "'tool_choice' needs 'tools'.");
    }
    return extra;
  }

  /** Validates one pass-through parameter; false if the route has no such parameter. */
  private static boolean check(String name, JsonNode v, boolean chat) {
    switch (name) {
      case "frequency_penalty", "presence_penalty" -> BodyFields.numberIn(v, name, -2, 2);
      case "logit_bias" -> logitBias(v);
      case "logprobs" -> {
        if (chat) {
          bool(v, name);
        } else {
          integer(v, name, 0, MAX_COMPLETION_LOGPROBS);
        }
      }
      case "echo" -> {
        if (chat) {
          return false;
        }
        bool(v, name);
      }
      case "top_logprobs", "response_format", "tools", "tool_choice", "parallel_tool_calls" -> {
        if (!chat) {
          return false;
        }
        switch (name) {
          case "top_logprobs" -> integer(v, name, 0, MAX_TOP_LOGPROBS);
          case "response_format" -> responseFormat(v);
          case "tools" -> tools(v);
          case "tool_choice" -> toolChoice(v);
          default -> bool(v, name);
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The ignored fields still have OpenAI's types, so a typo'd value is not taken silently. */
  private static void ignored(String name, JsonNode v) {
    if (v.isNull()) {
      return;
    }
    boolean ok =
        switch (name) {
          case "stream_options", "metadata" -> v.isObject();
          case "store" -> v.isBoolean();
          default -> v.isTextual();
        };
    if (!ok) {
      throw ApiError.badField(
          name,
          "'"
              + name
              + "' must be "
              + (name.equals("store")
                  ? "true or false"
                  : name.endsWith("options") || name.equals("metadata") ? "an object" : "a string")
              + ".");
    }
  }

  private static void bool(JsonNode v, String name) {
    if (!v.isBoolean()) {
      throw ApiError.badField(name, "'" + name + "' must be true or false.");
    }
  }

  private static void integer(JsonNode v, String name, int min, int max) {
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.badField(
          name, "'" + name + "' must be an integer from " + min + " to " + max + ".");
    }
  }

  private static void logitBias(JsonNode v) {
    if (!v.isObject() || v.size() > MAX_LOGIT_BIAS) {
      throw ApiError.badField(
          "logit_bias",
          "'logit_bias' must be an object of at most "
              + MAX_LOGIT_BIAS
              + " token ids mapped to numbers from -100 to 100.");
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      String at = "logit_bias." + e.getKey();
      if (!TOKEN_ID.matcher(e.getKey()).matches()) {
        throw ApiError.badField(at, "A 'logit_bias' key must be a token id (digits).");
      }
      BodyFields.numberIn(e.getValue(), at, -100, 100);
    }
  }

  private static void responseFormat(JsonNode v) {
    String type = v.path("type").asText("");
    if (!v.isObject() || !Set.of("text", "json_object", "json_schema").contains(type)) {
      throw ApiError.badField(
          "response_format.type",
          "'response_format' must be an object whose 'type' is text, json_object or json_schema.");
    }
    if (type.equals("json_schema")) {
      JsonNode s = v.get("json_schema");
      if (s == null
          || !s.isObject()
          || !FUNCTION_NAME.matcher(s.path("name").asText("")).matches()) {
        throw ApiError.badField(
            "response_format.json_schema",
            "'json_schema' must be an object with a 'name' of 1 to 64 of a-z A-Z 0-9 _ -.");
      }
      JsonNode schema = s.get("schema");
      if (schema != null && !schema.isObject()) {
        throw ApiError.badField(
            "response_format.json_schema.schema", "'schema' must be a JSON Schema object.");
      }
    }
  }

  private static void tools(JsonNode v) {
    if (!v.isArray() || v.isEmpty() || v.size() > MAX_TOOLS) {
      throw ApiError.badField(
          "tools", "'tools' must be an array of 1 to " + MAX_TOOLS + " function tools.");
    }
    for (int i = 0; i < v.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode t = v.get(i);
      if (!t.isObject() || !"function".equals(t.path("type").asText())) {
        throw ApiError.badField(at + ".type", "Only tools of type \"function\" are supported.");
      }
      JsonNode f = t.get("function");
      if (f == null || !f.isObject()) {
        throw ApiError.badField(at + ".function", "A tool needs a 'function' object.");
      }
      functionName(f.get("name"), at + ".function.name");
      JsonNode d = f.get("description");
      if (d != null && !d.isNull() && !d.isTextual()) {
        throw ApiError.badField(at + ".function.description", "'description' must be a string.");
      }
      JsonNode p = f.get("parameters");
      if (p != null && !p.isNull() && !p.isObject()) {
        throw ApiError.badField(
            at + ".function.parameters", "'parameters' must be a JSON Schema object.");
      }
      JsonNode strict = f.get("strict");
      if (strict != null && !strict.isNull() && !strict.isBoolean()) {
        throw ApiError.badField(at + ".function.strict", "'strict' must be true or false.");
      }
    }
  }

  private static void toolChoice(JsonNode v) {
    if (v.isTextual() && Set.of("none", "auto", "required").contains(v.asText())) {
      return;
    }
    if (v.isObject() && "function".equals(v.path("type").asText())) {
      functionName(v.path("function").get("name"), "tool_choice.function.name");
      return;
    }
    throw ApiError.badField(
        "tool_choice",
        "'tool_choice' must be \"none\", \"auto\", \"required\" or"
            + " {\"type\": \"function\", \"function\": {\"name\": ...}}.");
  }

  private static void functionName(JsonNode n, String at) {
    if (n == null || !n.isTextual() || !FUNCTION_NAME.matcher(n.asText()).matches()) {
      throw ApiError.badField(at, "A function name is 1 to 64 of a-z A-Z 0-9 _ -.");
    }
  }
}
