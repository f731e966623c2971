package io.sluice.bridge.internal;

import io.sluice.avro.InferenceRequest;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a checked call to its request topic: a synchronous call as an {@link Exchange} waiting for
 * its reply, an async one answered 202 once it is produced. A failed write is answered by its type
 * ({@link ProduceFailures}), after the call's pending marker, if it has one, is withdrawn.
 */
final class Submission {
  private final Vertx vertx;
  private final BridgeConfig config;
  private final ReplyListener replies;
  private final ResultStore store;
  private final PendingReplies pending;
  private final Submitter submitter;
  private final Admission admission;
  private final ResultMarkers markers;
  private final CallMetrics metrics;

  Submission(
      Vertx vertx,
      BridgeConfig config,
      ReplyListener replies,
      ResultStore store,
      PendingReplies pending,
      Submitter submitter,
      Admission admission,
      ResultMarkers markers,
      CallMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.replies = replies;
    this.store = store;
    this.pending = pending;
    this.submitter = submitter;
    this.admission = admission;
    this.markers = markers;
    this.metrics = metrics;
  }

  /**
   * A synchronous call: takes an in-flight slot, registers the wait and produces the request. Its
   * reply comes on this replica's reply partition, or, {@code viaResults} (an idempotent call whose
   * marker is already out), on the results topic every replica reads.
   */
  void sync(RoutingContext ctx, CallPlan plan, String id, boolean viaResults) {
    int partition = viaResults ? -1 : replies.pickPartition();
    if (!viaResults && partition < 0) {
      throw ApiError.unavailable("The bridge owns no reply partition yet; retry shortly.", null);
    }
    InferenceRequest req =
        request(
            plan,
            id,
            plan.timeoutMs(),
            viaResults ? config.resultsTopic() : config.replyTopic(),
            viaResults ? null : partition,
            Map.of());
    admission.admit(
        slot -> {
          Context context = vertx.getOrCreateContext();
          Exchange ex = new Exchange(ctx, context, slot, plan, id, pending, metrics);
          if (!pending.register(id, ex)) {
            throw new ApiError(
                409, "conflict", "Request " + id + " is already open here.", null, 1, id);
          }
          ex.arm();
          // Only a failed write needs the event loop (ex.fail goes there itself): a written one is
          // finished by its reply, so success costs no extra hop onto the context.
          CompletableFuture<Void> unused =
              submitter
                  .submit(req)
                  .whenComplete(
                      (v, e) -> {
                        if (e == null) {
                          return;
                        }
                        ApiError err = failed(e, id);
                        if (viaResults) {
                          // Its pending marker is already out: withdraw it before answering, so a
                          // retry with the same key (here or on another replica) runs again.
                          CompletableFuture<Void> unusedWithdrawal =
                              markers.withdraw(id).whenComplete((x, y) -> ex.fail(err));
                        } else {
                          ex.fail(err);
                        }
                      });
        });
  }

  /**
   * An async call: claims the id, writes its pending marker, then the request, and answers 202
   * (also when the id was already claimed: the caller polls the same result).
   */
  void async(HttpServerResponse res, CallPlan plan, String id, Map<String, String> extra) {
    InferenceRequest req =
        request(plan, id, config.asyncDeadlineMs(), config.resultsTopic(), null, extra);
    if (!store.claim(id, plan.app())) {
      Responder.accepted(res, id);
      return;
    }
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Throwable> failure =
        markers
            .mark(id, plan.app())
            .thenCompose(v -> submitter.submit(req))
            .handle((v, e) -> e)
            .thenCompose(
                e ->
                    e == null
                        ? CompletableFuture.completedFuture((Throwable) null)
                        : markers.withdraw(id).thenApply(x -> e));
    Future.fromCompletionStage(failure, context)
        .onSuccess(
            e -> {
              if (e != null) {
                Responder.error(res, plan.dialect().errors(), failed(e, id));
              } else {
                Responder.accepted(res, id);
              }
            });
  }

  /** What a failed write means for the caller (413 or 503). */
  ApiError failed(Throwable e, String id) {
    return ProduceFailures.toApiError(e, id, config.maxMessageBytes());
  }

  private static InferenceRequest request(
      CallPlan plan,
      String id,
      long deadlineIn,
      String replyTo,
      Integer replyPartition,
      Map<String, String> extra) {
    long now = System.currentTimeMillis();
    ParsedCall call = plan.call();
    Map<String, String> attributes = new HashMap<>(call.attributes());
    attributes.putAll(extra);
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp(call.app())
        .setInput(call.input())
        .setModel(call.app())
        .setStream(call.stream())
        .setCreatedAtMs(Instant.ofEpochMilli(now))
        .setDeadlineMs(Instant.ofEpochMilli(now + deadlineIn))
        .setPriority(plan.priority())
        .setReplyTo(replyTo)
        .setReplyPartition(replyPartition)
        .setTraceparent(plan.traceparent())
        .setAttributes(attributes)
        .build();
  }
}
