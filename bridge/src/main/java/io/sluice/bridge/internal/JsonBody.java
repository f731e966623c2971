package io.sluice.bridge.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The entry checks of a JSON request body, before a {@link Dialect} reads a field: the media type
 * must be {@code application/json} (parameters allowed, a charset only if UTF-8; 415 {@code
 * unsupported_media_type} otherwise), and the bytes must be valid UTF-8 (RFC 8259), which is
 * checked strictly instead of letting a decoder replace bad bytes with U+FFFD behind the caller's
 * back (400 {@code invalid_json} naming the byte offset). Then the text is parsed, bounded, into
 * one JSON object ({@link #parseObject}).
 */
public final class JsonBody {
  private JsonBody() {}

  /** Checks {@code Content-Type}; throws 415 unless it is JSON in UTF-8. */
  public static void checkContentType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      throw unsupported("The request needs 'Content-Type: application/json'.");
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      throw unsupported(
          "The request body must be 'application/json', not '" + clip(parts[0].trim()) + "'.");
    }
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv[0].trim().equalsIgnoreCase("charset")) {
        String cs = kv.length < 2 ? "" : kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!cs.equals("utf-8") && !cs.equals("utf8")) {
          throw unsupported("JSON bodies must be UTF-8, not charset '" + clip(cs) + "'.");
        }
      }
    }
  }

  /**
   * The bridge reads bodies as sent (no decompression): a compressed body is 415 (RFC 7694) rather
   * than bytes parsed as if they were JSON.
   */
  public static void checkContentEncoding(String encoding) {
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      throw new ApiError(
          415,
          ApiError.UNSUPPORTED_MEDIA_TYPE,
          "Compressed request bodies are not accepted (Content-Encoding '"
              + clip(encoding.trim())
              + "'); send plain JSON.",
          "Content-Encoding",
          null,
          null);
    }
  }

  /** Decodes the body as UTF-8; 400 {@code invalid_json} at the first malformed byte. */
  public static String utf8(byte[] body) {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) {
      r = d.flush(out);
    }
    if (r.isError()) {
      throw ApiError.invalidJson(
          "The request body is not valid UTF-8 (byte offset " + in.position() + ").");
    }
    return out.flip().toString();
  }

  private static ApiError unsupported(String message) {
    return new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, message, "Content-Type", null, null);
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  /** Deepest nesting of arrays and objects a body may have. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest number literal (digits, sign, exponent). */
  public static final int MAX_NUMBER_LENGTH = 100;

  /** Longest object key. */
  public static final int MAX_NAME_LENGTH = 1024;

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
}
