package io.sluice.bridge.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The entry checks of a JSON request body, before {@link RequestMapper} reads a field: the media
 * type must be {@code application/json} (parameters allowed, a charset only if UTF-8; 415 {@code
 * unsupported_media_type} otherwise), and the bytes must be valid UTF-8 (RFC 8259), which is
 * checked strictly instead of letting a decoder replace bad bytes with U+FFFD behind the caller's
 * back (400 {@code invalid_json} naming the byte offset).
 */
public final class JsonBody {
  private JsonBody() {}

  /** Checks {@code Content-Type}; throws 415 unless it is JSON in UTF-8. */
  public static void checkContentType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      throw unsupported("The request needs 'Content-Type: application/json'.");
    }
    String[] parts = contentType.split(";");
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
}
