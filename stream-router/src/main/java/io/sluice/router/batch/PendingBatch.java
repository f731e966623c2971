package io.sluice.router.batch;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import java.util.ArrayList;
import java.util.List;

/** A batch being filled: the in-memory mirror of its entries in the buffer store. */
final class PendingBatch {
  final String bufferKey;
  final String deployment;
  final Priority priority;
  final String batchId;
  final long firstArrivalMs;
  final List<InferenceRequest> requests = new ArrayList<>();

  /** Key in the pending map: the buffer key, or buffer key + batch id for restored batches. */
  String mapKey;

  BatchLimits limits;
  int tokens;

  PendingBatch(
      String bufferKey,
      String deployment,
      Priority priority,
      String batchId,
      long firstArrivalMs,
      BatchLimits limits) {
    this.bufferKey = bufferKey;
    this.deployment = deployment;
    this.priority = priority;
    this.batchId = batchId;
    this.firstArrivalMs = firstArrivalMs;
    this.limits = limits;
    this.mapKey = bufferKey;
  }

  /** The store key of the i-th request: sorts in arrival order within the batch. */
  String entryKey(int i) {
    return bufferKey + "/" + batchId + "/" + String.format("%06d", i);
  }
}
