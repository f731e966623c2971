package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/**
 * Waits, without a thread, for a result in the {@link ResultStore} that another call (maybe on
 * another replica) produces. Three things can end the wait: the result, the timer, the client going
 * away. All three run on the request's event-loop context, so the first wins without locks; it
 * cancels the other two, and only it reaches the {@link Outcome}.
 */
final class StoredWait {
  /** What to do with the one event that ended the wait; called on the request's context. */
  interface Outcome {
    void result(InferenceResponse r);

    void timedOut();

    void clientGone();
  }

  private final Vertx vertx;
  private long timer = -1;
  private Runnable cancelResult = () -> {};
  private boolean done;

  private StoredWait(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts waiting up to {@code timeoutMs} for the result of {@code id}; call on the context. */
  static void start(
      Vertx vertx,
      ResultStore store,
      HttpServerResponse res,
      String id,
      long timeoutMs,
      Outcome outcome) {
    StoredWait w = new StoredWait(vertx);
    Context context = vertx.getOrCreateContext();
    w.timer =
        vertx.setTimer(
            timeoutMs,
            t -> {
              if (w.end()) {
                outcome.timedOut();
              }
            });
    res.closeHandler(
        v -> {
          if (w.end()) {
            outcome.clientGone();
          }
        });
    // A result already stored arrives through runOnContext too, so after this assignment.
    w.cancelResult =
        store.whenDone(
            id,
            r ->
                context.runOnContext(
                    v -> {
                      if (w.end()) {
                        outcome.result(r);
                      }
                    }));
  }

  /** True for the first event only; it cancels the timer and the result wait. */
  private boolean end() {
    if (done) {
      return false;
    }
    done = true;
    vertx.cancelTimer(timer);
    cancelResult.run();
    return true;
  }
}
