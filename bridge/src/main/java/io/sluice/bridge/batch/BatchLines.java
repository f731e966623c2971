package io.sluice.bridge.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.Priority;
import io.sluice.avro.ResponseStatus;
import io.sluice.bridge.internal.ApiError;
import io.sluice.bridge.internal.BatchCalls;
import io.sluice.bridge.internal.ParsedCall;
import io.sluice.bridge.internal.RequestMapper;
import java.time.Instant;

/**
 * OpenAI's batch line formats (also vLLM {@code run-batch}'s): an input line {@code {"custom_id",
 * "method": "POST", "url", "body"}} checked and turned into the {@code InferenceRequest} the sync
 * route would produce; a reply rendered as an output line {@code {"id", "custom_id", "response":
 * {"status_code", "request_id", "body"}, "error"}} whose body and status are what that route would
 * have answered; and an error-file line for a line that never got a reply.
 *
 * <pre>{@code
 * BatchEndpoint endpoint = BatchEndpoint.parse("/v1/chat/completions");
 * BatchLine line = BatchLines.parse(text, 7, endpoint); // throws BatchLineException
 * InferenceRequest req = BatchLines.toRequest(line, BatchLines.requestId("batch_ab12", 7),
 *     "sluice.batch.events", 3, deadlineMs);
 * // ... later, for its reply:
 * String out = BatchLines.outputLine(line.customId(), line.endpoint(), reply);
 * boolean toOutputFile = BatchLines.succeeded(reply); // else the line goes to the error file
 * }</pre>
 *
 * <p>Body rules are exactly the sync routes' (same parser); on top of them a line must not ask for
 * {@code stream}, and every request is {@code BULK} priority with the batch's deadline (a Sluice
 * body's {@code priority} and {@code timeout_ms} are overridden).
 */
public final class BatchLines {
  /** Longest {@code custom_id}. */
  public static final int MAX_CUSTOM_ID_LENGTH = 512;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private BatchLines() {}

  /** Whether a line holds only white space (skipped, as OpenAI and vLLM skip blank lines). */
  public static boolean isBlank(String text) {
    return text.isBlank();
  }

  /**
   * Checks a line against the batch's endpoint: its {@code url} must be that endpoint.
   *
   * @throws BatchLineException with the line number and the reason
   */
  public static BatchLine parse(String text, int lineNo, BatchEndpoint endpoint) {
    return parse(text, lineNo, endpoint, true);
  }

  /**
   * Checks a line that names its own endpoint ({@code url}), as vLLM's {@code run-batch} files may
   * mix chat and completion lines.
   */
  public static BatchLine parse(String text, int lineNo) {
    return parse(text, lineNo, null, false);
  }

  private static BatchLine parse(
      String text, int lineNo, BatchEndpoint batchEndpoint, boolean checkUrl) {
    JsonNode o;
    try {
      o = RequestMapper.parseObject(text);
    } catch (ApiError e) {
      throw error(
          "invalid_json_line",
          "This line is not parseable as valid JSON: " + e.getMessage(),
          null,
          lineNo);
    }
    String customId = requiredString(o, "custom_id", lineNo);
    if (customId.isEmpty() || customId.length() > MAX_CUSTOM_ID_LENGTH) {
      throw error(
          "invalid_request",
          "'custom_id' must have 1 to " + MAX_CUSTOM_ID_LENGTH + " characters.",
          "custom_id",
          lineNo);
    }
    String method = requiredString(o, "method", lineNo);
    if (!method.equals("POST")) {
      throw error("invalid_request", "'method' must be POST.", "method", lineNo);
    }
    String url = requiredString(o, "url", lineNo);
    BatchEndpoint endpoint = BatchEndpoint.parse(url);
    if (checkUrl && !url.equals(batchEndpoint.path())) {
      throw error(
          "invalid_url",
          "The URL of this request ('"
              + url
              + "') does not match the batch's endpoint ('"
              + batchEndpoint.path()
              + "').",
          "url",
          lineNo);
    }
    if (endpoint == null) {
      throw error(
          "invalid_url",
          "The URL '"
              + url
              + "' is none of "
              + BatchEndpoint.CHAT_PATH
              + ", "
              + BatchEndpoint.COMPLETIONS_PATH
              + ", /v1/apps/{app}/infer.",
          "url",
          lineNo);
    }
    JsonNode body = o.get("body");
    if (body == null) {
      throw error(
          "missing_required_parameter", "Missing required parameter: body.", "body", lineNo);
    }
    if (!body.isObject()) {
      throw error("invalid_request", "'body' must be a JSON object.", "body", lineNo);
    }
    JsonNode stream = body.get("stream");
    if (stream != null && stream.isBoolean() && stream.booleanValue()) {
      throw error(
          "streaming_unsupported", "Streaming is not supported in a batch.", "body.stream", lineNo);
    }
    ParsedCall call;
    try {
      call = BatchCalls.parse(endpoint.kind().name(), endpoint.app(), body);
    } catch (ApiError e) {
      throw error(
          e.code(), e.getMessage(), e.param() == null ? "body" : "body." + e.param(), lineNo);
    }
    return new BatchLine(lineNo, customId, endpoint, call.app(), call.input(), call.attributes());
  }

  /** The error of a line whose app (its {@code model}, or the app in its path) does not exist. */
  public static BatchError unknownApp(BatchLine line) {
    boolean infer = line.endpoint().kind() == BatchEndpoint.Kind.INFER;
    return new BatchError(
        infer ? "unknown_app" : "model_not_found",
        (infer ? "The app '" : "The model '") + line.app() + "' does not exist.",
        line.endpoint().appParam(),
        line.line());
  }

  /** The error of a line whose {@code custom_id} an earlier line already used. */
  public static BatchError duplicateCustomId(BatchLine line, int firstLine) {
    return new BatchError(
        "duplicate_custom_id",
        "The custom_id '" + line.customId() + "' is already used on line " + firstLine + ".",
        "custom_id",
        line.line());
  }

  /** The deterministic request id of line {@code lineNo} of batch {@code batchId}. */
  public static String requestId(String batchId, int lineNo) {
    return batchId + ":" + lineNo;
  }

  /**
   * The {@code id} of a line's output: {@code batch_req_} + the request id with {@code :} as {@code
   * _}, deterministic so that a finalize redone after a crash writes the same file.
   */
  public static String outputId(String requestId) {
    String s = requestId.startsWith("batch_") ? requestId.substring(6) : requestId;
    return "batch_req_" + s.replace(':', '_');
  }

  /**
   * The {@code InferenceRequest} the sync route would produce for the line's body, as a {@code
   * BULK} request with the given id, reply address and deadline.
   */
  public static InferenceRequest toRequest(
      BatchLine line, String requestId, String replyTo, Integer replyPartition, long deadlineMs) {
    long now = System.currentTimeMillis();
    return InferenceRequest.newBuilder()
        .setRequestId(requestId)
        .setApp(line.app())
        .setInput(line.input())
        .setModel(line.app())
        .setStream(false)
        .setCreatedAtMs(Instant.ofEpochMilli(now))
        .setDeadlineMs(Instant.ofEpochMilli(deadlineMs))
        .setPriority(Priority.BULK)
        .setReplyTo(replyTo)
        .setReplyPartition(replyPartition)
        .setAttributes(line.attributes())
        .build();
  }

  /** Whether a reply belongs in the output file (else in the error file, as OpenAI files them). */
  public static boolean succeeded(InferenceResponse reply) {
    return reply.getStatus() == ResponseStatus.OK;
  }

  /**
   * A reply as a batch result line: {@code {"id", "custom_id", "response": {"status_code",
   * "request_id", "body"}, "error": null}}; {@code body} and {@code status_code} are what the sync
   * HTTP route would answer (an ERROR reply: its error body and status).
   */
  public static String outputLine(
      String customId, BatchEndpoint endpoint, InferenceResponse reply) {
    ObjectNode o = F.objectNode();
    o.put("id", outputId(reply.getRequestId()));
    o.put("custom_id", customId);
    ObjectNode res = o.putObject("response");
    res.put("status_code", BatchCalls.status(reply));
    res.put("request_id", reply.getRequestId());
    res.set("body", BatchCalls.body(endpoint.kind().name(), reply, reply.getApp()));
    o.putNull("error");
    return o.toString();
  }

  /**
   * A line that got no reply (expired, cancelled) as an error-file line: {@code {"id", "custom_id",
   * "response": null, "error": {"code", "message"}}}.
   */
  public static String errorLine(String requestId, String customId, String code, String message) {
    ObjectNode o = F.objectNode();
    o.put("id", outputId(requestId));
    o.put("custom_id", customId);
    o.putNull("response");
    o.putObject("error").put("code", code).put("message", message);
    return o.toString();
  }

  private static String requiredString(JsonNode o, String field, int lineNo) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw error(
          "missing_required_parameter",
          "Missing required parameter: " + field + ".",
          field,
          lineNo);
    }
    if (!v.isTextual()) {
      throw error("invalid_request", "'" + field + "' must be a string.", field, lineNo);
    }
    return v.textValue();
  }

  private static BatchLineException error(String code, String message, String param, int line) {
    return new BatchLineException(new BatchError(code, message, param, line));
  }
}
