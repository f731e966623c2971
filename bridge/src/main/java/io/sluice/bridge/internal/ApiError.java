package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.ErrorCodes;

/**
 * An HTTP error of the bridge: status, a stable lower-case code, a message, and optionally the
 * offending field, a Retry-After and the request id. Rendered as {@code {"error": {"code",
 * "message"}}} on Sluice's routes and as OpenAI's {@code {"error": {"message", "type", "param",
 * "code"}}} on the OpenAI-compatible ones.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Codes the bridge itself answers with, beside {@link ErrorCodes}. */
  public static final String INVALID_JSON = "invalid_json";

  public static final String INVALID_REQUEST = "invalid_request";
  public static final String NOT_FOUND = "not_found";
  public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
  public static final String UNAUTHORIZED = "invalid_api_key";
  public static final String FORBIDDEN = "forbidden";
  public static final String UNAVAILABLE = "unavailable";
  public static final String METHOD_NOT_ALLOWED = "method_not_allowed";

  /** A header a client sent is malformed or out of bounds; {@code param} names it. */
  public static final String INVALID_HEADER = "invalid_header";

  /** The body is not {@code application/json} (in UTF-8). */
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

  private final int status;
  private final String code;
  private final String param;
  private final Integer retryAfterSeconds;
  private final String requestId;

  public ApiError(
      int status,
      String code,
      String message,
      String param,
      Integer retryAfterSeconds,
      String requestId) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
    this.requestId = requestId;
  }

  public static ApiError badField(String field, String message) {
    return new ApiError(400, INVALID_REQUEST, message, field, null, null);
  }

  public static ApiError invalidJson(String message) {
    return new ApiError(400, INVALID_JSON, message, null, null, null);
  }

  public static ApiError unknownApp(String app, String param) {
    return new ApiError(
        404, ErrorCodes.UNKNOWN_APP, "The app '" + app + "' does not exist.", param, null, null);
  }

  public static ApiError overloaded(int retryAfter) {
    return new ApiError(
        429,
        ErrorCodes.RATE_LIMITED,
        "Too many requests in flight; retry after " + retryAfter + " s.",
        null,
        retryAfter,
        null);
  }

  public static ApiError unavailable(String message, String requestId) {
    return new ApiError(503, UNAVAILABLE, message, null, 1, requestId);
  }

  /** 500 for a bug: names the exception's type only (its message may carry internals). */
  public static ApiError internal(Throwable t) {
    return new ApiError(
        500, "internal", "Internal error: " + t.getClass().getSimpleName(), null, null, null);
  }

  public static ApiError timeout(String requestId, long waitedMs) {
    return new ApiError(
        504,
        ErrorCodes.DEADLINE_EXCEEDED,
        "No reply within " + waitedMs + " ms; the request was dropped from the pipeline.",
        null,
        null,
        requestId);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public String requestId() {
    return requestId;
  }

  public ApiError withRequestId(String id) {
    return new ApiError(status, code, getMessage(), param, retryAfterSeconds, id);
  }

  /** {@code {"error": {"code", "message", "param"?, "requestId"?}}}. */
  public ObjectNode toSluiceJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode e = root.putObject("error");
    e.put("code", code);
    e.put("message", getMessage());
    if (param != null) {
      e.put("param", param);
    }
    if (requestId != null) {
      e.put("requestId", requestId);
    }
    return root;
  }

  /** OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}. */
  public ObjectNode toOpenAiJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode e = root.putObject("error");
    e.put(
        "message",
        requestId == null ? getMessage() : getMessage() + " (request " + requestId + ")");
    e.put("type", openAiType());
    if (param == null) {
      e.putNull("param");
    } else {
      e.put("param", param);
    }
    e.put("code", code);
    return root;
  }

  /** OpenAI's error {@code type} for the status, as its SDKs expect. */
  String openAiType() {
    return switch (status) {
      case 400, 404, 405, 409, 413, 415, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      default -> "server_error";
    };
  }
}
