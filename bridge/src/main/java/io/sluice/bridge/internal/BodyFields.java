package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.Priority;
import io.sluice.avro.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The body fields that Sluice's own route and the OpenAI routes share ({@code messages}, {@code
 * prompt}, the sampling parameters, booleans, priorities), each checked with bounds; a bad one is
 * an {@link ApiError} 400 naming the field at fault ({@code messages[1].role}).
 */
final class BodyFields {
  static final int MAX_NAME_FIELD_LENGTH = 64;
  static final int MAX_STOP_SEQUENCES = 4;
  static final int MAX_STOP_LENGTH = 256;

  private BodyFields() {}

  /** Parses {@code interactive} or {@code bulk}. */
  static Priority priority(JsonNode node, String field) {
    String p = node.isTextual() ? node.asText().toUpperCase(Locale.ROOT) : "";
    try {
      return Priority.valueOf(p);
    } catch (IllegalArgumentException e) {
      throw ApiError.badField(field, "'" + field + "' must be \"interactive\" or \"bulk\".");
    }
  }

  static JsonNode required(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      throw ApiError.badField(field, "Missing required field '" + field + "'.");
    }
    return n;
  }

  static boolean bool(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw ApiError.badField(field, "'" + field + "' must be true or false.");
    }
    return n.asBoolean();
  }

  static List<ChatMessage> messages(JsonNode node) {
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
  static String content(JsonNode c, String at) {
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

  /** Sluice's {@code prompt}: a string, or an array of one string. */
  static String prompt(JsonNode p) {
    List<String> all = prompts(p, 1);
    return all.get(0);
  }

  /**
   * OpenAI's {@code prompt}: a string or an array of 1 to {@code max} strings. Token-id prompts
   * (arrays of integers) are refused: the bridge carries text.
   */
  static List<String> prompts(JsonNode p, int max) {
    if (p.isTextual()) {
      return List.of(p.asText());
    }
    String shape =
        max == 1
            ? "'prompt' must be a string (or an array of one string)."
            : "'prompt' must be a string or an array of 1 to " + max + " strings.";
    if (!p.isArray() || p.isEmpty() || p.size() > max) {
      throw ApiError.badField("prompt", shape);
    }
    List<String> out = new ArrayList<>(p.size());
    for (int i = 0; i < p.size(); i++) {
      JsonNode x = p.get(i);
      if (x.isIntegralNumber() || x.isArray()) {
        throw ApiError.badField(
            "prompt", "Token-id prompts (arrays of integers) are not supported; send text.");
      }
      if (!x.isTextual()) {
        throw ApiError.badField("prompt[" + i + "]", shape);
      }
      out.add(x.asText());
    }
    return out;
  }

  static SamplingParams sampling(JsonNode s, String prefix) {
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

  static Double number(JsonNode s, String field, String prefix, double min, double max) {
    JsonNode n = s.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    return numberIn(n, prefix + field, min, max);
  }

  /** A number from {@code min} to {@code max}; else a 400 naming {@code at}. */
  static double numberIn(JsonNode n, String at, double min, double max) {
    if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
      String field = at.substring(at.lastIndexOf('.') + 1);
      throw ApiError.badField(
          at, "'" + field + "' must be a number from " + min + " to " + max + ".");
    }
    return n.asDouble();
  }
}
