package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One open HTTP request waiting for its reply. Everything that can finish it (a reply from a Kafka
 * consumer thread, the timeout timer, a failed send, the client going away) is run on the request's
 * own event-loop context, so the first of them wins without locks and no thread ever waits.
 *
 * <p>A reply travels one way: {@link ReplyListener} → {@link PendingReplies} → here → {@link
 * Responder} → the call's {@link Dialect}; none of them calls back into one before it.
 */
final class Exchange implements PendingReplies.Waiter {
  private final RoutingContext ctx;
  private final Context context;
  private final Admission.Slot slot;
  private final Dialect dialect;
  private final String requestId;
  private final String app;
  private final boolean stream;
  private final long timeoutMs;
  private final PendingReplies pending;
  private final CallMetrics metrics;
  private final long startNanos = System.nanoTime();

  /** The text already streamed to the client as deltas. */
  private final StringBuilder streamed = new StringBuilder();

  private long timer = -1;
  private boolean streaming;
  private boolean finished;

  Exchange(
      RoutingContext ctx,
      Context context,
      Admission.Slot slot,
      CallPlan plan,
      String requestId,
      PendingReplies pending,
      CallMetrics metrics) {
    this.ctx = ctx;
    this.context = context;
    this.slot = slot;
    this.dialect = plan.dialect();
    this.requestId = requestId;
    this.app = plan.app();
    this.stream = plan.call().stream();
    this.timeoutMs = plan.timeoutMs();
    this.pending = pending;
    this.metrics = metrics;
  }

  /** Arms the timeout and the disconnect handler; call on the request's context. */
  void arm() {
    timer = ctx.vertx().setTimer(timeoutMs, t -> onTimeout());
    ctx.response().closeHandler(v -> finish(0));
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
              Responder.endStreamWithError(ctx.response(), dialect, e);
            } else {
              Responder.error(ctx.response(), dialect.errors(), e.withRequestId(requestId));
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
        Responder.endStreamWithError(ctx.response(), dialect, ReplyErrors.errorOf(r));
        return;
      }
      writeChunk(r);
      return;
    }
    if (!r.getFinalChunk()) {
      return; // streamed deltas: the final chunk carries the whole output
    }
    ApiError e = ReplyErrors.errorOf(r);
    finish(e == null ? 200 : e.status());
    Responder.result(ctx.response(), dialect, r, app);
  }

  private void writeChunk(InferenceResponse r) {
    HttpServerResponse res = ctx.response();
    if (!streaming) {
      streaming = true;
      Responder.startStream(res, requestId, r);
    }
    InferenceResponse delta = r;
    if (r.getFinalChunk()) {
      // The final chunk carries the whole output: send only what the deltas have not.
      String whole = ReplyText.text(r);
      String sent = streamed.toString();
      delta = ReplyText.withText(r, whole.startsWith(sent) ? whole.substring(sent.length()) : "");
    } else {
      streamed.append(ReplyText.text(r));
    }
    Responder.chunk(res, dialect, delta, requestId, app);
    if (r.getFinalChunk()) {
      finish(200);
      Responder.endStream(res, dialect);
    }
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
    pending.remove(requestId, this);
    metrics.record(dialect, app, status, System.nanoTime() - startNanos);
  }
}
