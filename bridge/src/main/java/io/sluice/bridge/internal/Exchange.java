package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One open HTTP request waiting for its reply. Everything that can finish it (a reply from a Kafka
 * consumer thread, the timeout timer, a failed send, the client going away) is run on the request's
 * own event-loop context, so the first of them wins without locks and no thread ever waits.
 */
final class Exchange implements PendingReplies.Waiter {
  private final HttpApi api;
  private final RoutingContext ctx;
  private final Context context;
  private final Admission.Slot slot;
  private final Kind kind;
  private final String requestId;
  private final String app;
  private final boolean stream;
  private final long timeoutMs;
  private final long startNanos = System.nanoTime();

  /** The text already streamed to the client as deltas. */
  private final StringBuilder streamed = new StringBuilder();

  private long timer = -1;
  private boolean streaming;
  private boolean finished;

  Exchange(
      HttpApi api,
      RoutingContext ctx,
      Context context,
      Admission.Slot slot,
      Kind kind,
      String requestId,
      String app,
      boolean stream,
      long timeoutMs) {
    this.api = api;
    this.ctx = ctx;
    this.context = context;
    this.slot = slot;
    this.kind = kind;
    this.requestId = requestId;
    this.app = app;
    this.stream = stream;
    this.timeoutMs = timeoutMs;
  }

  /** Arms the timeout and the disconnect handler; call on the request's context. */
  void arm() {
    timer = ctx.vertx().setTimer(timeoutMs, t -> onTimeout());
    ctx.response().closeHandler(v -> finish(0));
  }

  String requestId() {
    return requestId;
  }

  @Override
  public void onReply(InferenceResponse r) {
    context.runOnContext(v -> reply(r));
  }

  void fail(ApiError e) {
    context.runOnContext(
        v -> {
          if (!finished) {
            finish(e.status());
            if (streaming) {
              endStreamWithError(e);
            } else {
              api.sendError(ctx, kind, e.withRequestId(requestId));
            }
          }
        });
  }

  private void onTimeout() {
    timer = -1;
    fail(ApiError.timeout(requestId, timeoutMs));
  }

  private void reply(InferenceResponse r) {
    if (finished) {
      return;
    }
    boolean error = r.getStatus() != ResponseStatus.OK;
    if (stream && !(error && !streaming)) {
      if (error) {
        finish(502);
        endStreamWithError(ResponseMapper.errorOf(r));
        return;
      }
      writeChunk(r);
      return;
    }
    if (!r.getFinalChunk()) {
      return; // streamed deltas: the final chunk carries the whole output
    }
    InferenceResponse whole = r;
    ApiError e = ResponseMapper.errorOf(whole);
    finish(e == null ? 200 : e.status());
    api.sendResult(ctx, kind, whole, app);
  }

  private void writeChunk(InferenceResponse r) {
    HttpServerResponse res = ctx.response();
    if (!streaming) {
      streaming = true;
      HttpApi.startEventStream(res, requestId);
    }
    InferenceResponse delta = r;
    if (r.getFinalChunk()) {
      // The final chunk carries the whole output: send only what the deltas have not.
      String whole = ResponseMapper.text(r);
      String sent = streamed.toString();
      delta =
          ResponseMapper.withText(r, whole.startsWith(sent) ? whole.substring(sent.length()) : "");
    } else {
      streamed.append(ResponseMapper.text(r));
    }
    res.write("data: " + api.chunkJson(kind, delta, requestId, app) + "\n\n");
    if (r.getFinalChunk()) {
      finish(200);
      HttpApi.endEventStream(res, kind);
    }
  }

  private void endStreamWithError(ApiError e) {
    JsonNode body = kind.openAi() ? e.toOpenAiJson() : e.toSluiceJson();
    ctx.response().write("data: " + body + "\n\n");
    HttpApi.endEventStream(ctx.response(), kind);
  }

  /** Marks the exchange done and releases what it held; status 0 means the client went away. */
  private void finish(int status) {
    if (finished) {
      return;
    }
    finished = true;
    if (timer >= 0) {
      ctx.vertx().cancelTimer(timer);
    }
    slot.release();
    api.released(this, kind, status, System.nanoTime() - startNanos);
  }
}
