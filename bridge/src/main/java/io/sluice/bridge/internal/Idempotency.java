package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.ApiKeys.Principal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls with an {@code Idempotency-Key}: the request id is derived from the key (and the caller and
 * route), so a repeat finds the first call's entry in the result store. A stored result is replayed
 * ({@code Idempotent-Replayed: true}); a pending one is waited for (sync) or answered 202 (async);
 * only an unknown id is claimed, marked and produced.
 */
final class Idempotency {
  private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
  static final String KEY_ATTRIBUTE = "idempotency-key";

  private final Vertx vertx;
  private final ResultStore store;
  private final ResultMarkers markers;
  private final Submission submission;
  private final Admission admission;
  private final CallMetrics metrics;

  Idempotency(
      Vertx vertx,
      ResultStore store,
      ResultMarkers markers,
      Submission submission,
      Admission admission,
      CallMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.markers = markers;
    this.submission = submission;
    this.admission = admission;
    this.metrics = metrics;
  }

  /**
   * Request id of an idempotent call: the same caller, route, app and key give the same id, with
   * the route's {@link Dialect#idPrefix} in front.
   */
  static String requestId(Principal who, Dialect d, String app, String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String s : new String[] {who.fingerprint(), d.idName(), app, key}) {
        digest.update(s.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return d.idPrefix() + "idem-" + HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  void call(RoutingContext ctx, Principal who, CallPlan plan, String key, boolean async) {
    String id = requestId(who, plan.dialect(), plan.app(), key);
    HttpServerResponse res = ctx.response();
    ResultStore.Entry known = store.get(id);
    if (known != null && known.done()) {
      res.putHeader("Idempotent-Replayed", "true");
      answer(res, plan, known.result(), id);
      return;
    }
    if (known != null) {
      if (async) {
        Responder.accepted(res, id);
      } else {
        res.putHeader("Idempotent-Replayed", "true");
        awaitStored(res, plan, id);
      }
      return;
    }
    if (async) {
      submission.async(res, plan, id, Map.of(KEY_ATTRIBUTE, key));
      return;
    }
    if (!store.claim(id, plan.app())) {
      awaitStored(res, plan, id);
      return;
    }
    Context context = vertx.getOrCreateContext();
    ErrorShape errors = plan.dialect().errors();
    // The marker goes first so that a repeat on any replica sees the key as taken.
    Future.fromCompletionStage(markers.mark(id, plan.app()), context)
        .onComplete(
            marked -> {
              ApiError err;
              if (marked.failed()) {
                err = submission.failed(marked.cause(), id);
              } else {
                try {
                  submission.sync(ctx, withKey(plan, key), id, true);
                  return;
                } catch (ApiError e) {
                  err = e;
                } catch (RuntimeException e) {
                  log.error("idempotent call {} failed", id, e);
                  err = ApiError.internal(e);
                }
              }
              // Not produced: withdraw the marker before answering, so a retry runs again.
              ApiError answer = err;
              Future.fromCompletionStage(markers.withdraw(id), context)
                  .onComplete(x -> Responder.error(res, errors, answer));
            });
  }

  private static CallPlan withKey(CallPlan plan, String key) {
    ParsedCall call = plan.call();
    Map<String, String> a = new HashMap<>(call.attributes());
    a.put(KEY_ATTRIBUTE, key);
    return new CallPlan(
        plan.dialect(),
        new ParsedCall(
            call.app(), call.input(), call.stream(), call.priority(), call.timeoutMs(), a),
        plan.timeoutMs(),
        plan.priority(),
        plan.traceparent());
  }

  /** Waits, holding an in-flight slot, for the result another call (maybe elsewhere) produces. */
  private void awaitStored(HttpServerResponse res, CallPlan plan, String id) {
    Dialect d = plan.dialect();
    admission.admit(
        slot -> {
          long start = System.nanoTime();
          StoredWait.start(
              vertx,
              store,
              res,
              id,
              plan.timeoutMs(),
              new StoredWait.Outcome() {
                @Override
                public void result(InferenceResponse r) {
                  slot.release();
                  ApiError e = ReplyErrors.errorOf(r);
                  metrics.record(
                      d, plan.app(), e == null ? 200 : e.status(), System.nanoTime() - start);
                  answer(res, plan, r, id);
                }

                @Override
                public void timedOut() {
                  slot.release();
                  metrics.record(d, plan.app(), 504, System.nanoTime() - start);
                  Responder.error(res, d.errors(), ApiError.timeout(id, plan.timeoutMs()));
                }

                @Override
                public void clientGone() {
                  slot.release();
                  metrics.record(d, plan.app(), 0, System.nanoTime() - start);
                }
              });
        });
  }

  /** A stored result as this call's answer: replayed as a stream if the call streams. */
  private static void answer(
      HttpServerResponse res, CallPlan plan, InferenceResponse r, String id) {
    ApiError e = ReplyErrors.errorOf(r);
    Dialect d = plan.dialect();
    if (e != null) {
      Responder.error(res, d.errors(), e);
    } else if (plan.call().stream()) {
      Responder.replay(res, d, r, id, plan.app());
    } else {
      Responder.ok(res, d, r, plan.app());
    }
  }
}
