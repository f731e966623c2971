package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sluice.avro.InferenceResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes every HTTP answer of a call: a result, an error, 202 Accepted, a server-sent event stream
 * (start, chunk, end, end with an error) and a stored result replayed. What the bodies look like is
 * the {@link Dialect}'s business; this class owns status codes, headers and framing.
 */
final class Responder {
  static final String REQUEST_ID_HEADER = "Sluice-Request-Id";

  /** The experiment variant that served a call, from its reply. */
  static final String VARIANT_HEADER = "Sluice-Variant";

  /** The deployment that served a call, from its reply. */
  static final String DEPLOYMENT_HEADER = "Sluice-Deployment";

  private Responder() {}

  /** A reply as the caller's answer: its result, or the HTTP error of an ERROR reply. */
  static void result(HttpServerResponse res, Dialect d, InferenceResponse r, String app) {
    provenance(res, r);
    ApiError e = ReplyErrors.errorOf(r);
    if (e != null) {
      error(res, d.errors(), e);
    } else {
      ok(res, d, r, app);
    }
  }

  /** 200 with an OK reply's body. */
  static void ok(HttpServerResponse res, Dialect d, InferenceResponse r, String app) {
    res.putHeader(REQUEST_ID_HEADER, r.getRequestId());
    provenance(res, r);
    json(res, 200, d.result(r, app));
  }

  /**
   * A stored OK result replayed to a streaming caller: the whole output as one chunk, then the end
   * of the stream.
   */
  static void replay(
      HttpServerResponse res, Dialect d, InferenceResponse r, String requestId, String app) {
    startStream(res, requestId, r);
    chunk(res, d, InferenceResponse.newBuilder(r).setChunkIndex(0).build(), requestId, app);
    endStream(res, d);
  }

  /** 202: the call runs; its result will be at {@code Location}. */
  static void accepted(HttpServerResponse res, String requestId) {
    res.putHeader("Location", "/v1/requests/" + requestId).putHeader("Retry-After", "1");
    json(
        res,
        202,
        JsonNodeFactory.instance.objectNode().put("requestId", requestId).put("status", "PENDING"));
  }

  /**
   * An error, with {@code Retry-After}, {@code Sluice-Request-Id} and {@code WWW-Authenticate} as
   * it calls for; nothing if the response has already begun or the client is gone.
   */
  static void error(HttpServerResponse res, ErrorShape shape, ApiError e) {
    if (res.ended() || res.closed() || res.headWritten()) {
      return;
    }
    if (e.retryAfterSeconds() != null) {
      res.putHeader("Retry-After", e.retryAfterSeconds().toString());
    }
    if (e.requestId() != null) {
      res.putHeader(REQUEST_ID_HEADER, e.requestId());
    }
    if (e.status() == 401) {
      res.putHeader("WWW-Authenticate", "Bearer");
    }
    json(res, e.status(), shape.body(e));
  }

  /**
   * {@code Sluice-Variant} and {@code Sluice-Deployment}: which variant and deployment served the
   * call, as its reply says (absent when the reply names none, e.g. the router's own errors).
   */
  static void provenance(HttpServerResponse res, InferenceResponse r) {
    if (res.headWritten()) {
      return;
    }
    if (r.getVariant() != null) {
      res.putHeader(VARIANT_HEADER, r.getVariant());
    }
    if (r.getDeployment() != null) {
      res.putHeader(DEPLOYMENT_HEADER, r.getDeployment());
    }
  }

  /** The head of an event stream; {@code first} is the reply whose chunk opens it. */
  static void startStream(HttpServerResponse res, String requestId, InferenceResponse first) {
    provenance(res, first);
    res.setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader(REQUEST_ID_HEADER, requestId);
  }

  static void chunk(
      HttpServerResponse res, Dialect d, InferenceResponse r, String requestId, String app) {
    event(res, d.chunk(r, requestId, app));
  }

  /** An error after the stream began (the status is already sent): one error event, then end. */
  static void endStreamWithError(HttpServerResponse res, Dialect d, ApiError e) {
    event(res, d.errors().body(e).toString());
    endStream(res, d);
  }

  static void endStream(HttpServerResponse res, Dialect d) {
    if (d.endsStreamWithDone()) {
      event(res, "[DONE]");
    }
    res.end();
  }

  static void json(HttpServerResponse res, int status, JsonNode body) {
    res.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
  }

  private static void event(HttpServerResponse res, String data) {
    res.write("data: " + data + "\n\n");
  }
}
