package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.bridge.BridgeConfig;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending markers of async and idempotent calls on the results topic: written before the
 * request, so every replica knows the id is taken; withdrawn (a tombstone) when the request could
 * not be produced, so a retry runs again. See "Replies at scale" in {@code bridge/README.md}.
 */
final class ResultMarkers {
  private static final Logger log = LoggerFactory.getLogger(ResultMarkers.class);

  private final BridgeConfig config;
  private final ResultStore store;
  private final Submitter submitter;

  ResultMarkers(BridgeConfig config, ResultStore store, Submitter submitter) {
    this.config = config;
    this.store = store;
    this.submitter = submitter;
  }

  /** Writes the marker: an {@code UNKNOWN} result keyed by the request id. */
  CompletableFuture<Void> mark(String id, String app) {
    InferenceResponse marker =
        InferenceResponse.newBuilder()
            .setRequestId(id)
            .setApp(app)
            .setStatus(ResponseStatus.UNKNOWN)
            .setFinalChunk(false)
            .build();
    return submitter.record(config.resultsTopic(), marker);
  }

  /**
   * Withdraws the pending marker of a request that was not produced: forgets the claim here and
   * writes a tombstone so every replica forgets it. A tombstone that fails is logged; the marker
   * then stays until the result retention ends. The returned future never fails.
   */
  CompletableFuture<Void> withdraw(String id) {
    store.release(id);
    return submitter
        .clear(config.resultsTopic(), id)
        .handle(
            (v, e) -> {
              if (e != null) {
                log.warn("could not withdraw the pending marker of {}: {}", id, e.toString());
              }
              return null;
            });
  }
}
