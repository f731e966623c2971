package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import java.util.Map;

/**
 * One API shape (Sluice's own JSON, OpenAI chat, OpenAI completions): how its bodies are parsed,
 * its results rendered whole and as stream chunks, and its errors shaped. Each route is given its
 * dialect once, in {@link HttpApi#router()}; nothing downstream asks which API a call came through.
 * A new API (a batch-job API, say) adds routes and a dialect, not branches.
 */
interface Dialect {
  /** The {@code route} tag of the call metrics ({@code infer}, {@code chat}, ...). */
  String metricTag();

  /**
   * The route's name inside idempotent request ids ({@link Idempotency#requestId}). It must never
   * change: a stored key's repeat would no longer find its result.
   */
  String idName();

  /** The validated call of a body; {@code pathParams} are the route's path parameters. */
  ParsedCall parse(Map<String, String> pathParams, JsonNode body);

  /** The 404 for an app that is not in {@code sluice.routes}. */
  ApiError unknownApp(String app);

  /** The {@code param} that names the app in this API's errors (null: the app is in the path). */
  String appParam();

  /**
   * What the request ids this route hands out begin with, so that a stored result is rendered in
   * its route's shape on any replica ({@link OpenAiDialect#ofRequestId}); Sluice's own has none.
   */
  default String idPrefix() {
    return "";
  }

  /** Whether a call may ask for {@code Prefer: respond-async}. */
  boolean allowsAsync();

  /** The body of a successful result. */
  JsonNode result(InferenceResponse r, String app);

  /** One server-sent event's data for a reply chunk. */
  String chunk(InferenceResponse r, String requestId, String app);

  /** Whether a stream ends with OpenAI's {@code data: [DONE]}. */
  boolean endsStreamWithDone();

  /** How this API's errors look. */
  ErrorShape errors();
}
